/** The admin endpoint (see README.md): HTTP + JSON for `sibyl tool`, `/metrics` for Prometheus. */

export type { AdminContext, NativeServerView } from './admin-context.js';
export type { AdminEndpoint, AdminEndpointOptions } from './admin-endpoint.js';
export { startAdminEndpoint } from './admin-endpoint.js';
export type { AdminMethod, AdminRequest, AdminRoute } from './admin-router.js';
export { AdminError, AdminRouter, badRequest, notFound, TextReply } from './admin-router.js';
export type * from './admin-types.js';
