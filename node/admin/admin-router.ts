/**
 * The admin endpoint's route registry: a route is a method, a path pattern (`/describering/:keyspace`)
 * and a handler returning what to answer (any JSON value, or a `TextReply`). Features register their
 * routes when they start (`router.register(...)`); a path or method nobody registered is answered
 * 404 / 405 by the server. Routing is pure: no sockets here.
 */
import { assert, SibylError } from '../../common/errors.js';

export type AdminMethod = 'GET' | 'POST' | 'DELETE';

export interface AdminRequest {
  /** Path parameters, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST or DELETE; undefined when there is none. */
  readonly body: unknown;
}

/** A non-JSON answer (Prometheus text). */
export class TextReply {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}

export interface AdminRoute {
  readonly method: AdminMethod;
  /** Literal segments and `:name` parameters, e.g. `/getendpoints/:keyspace/:table/:key`. */
  readonly path: string;
  /** One line for the route list (`GET /`) and docs/admin.md. */
  readonly summary: string;
  handle(request: AdminRequest): unknown;
}

/** An answer other than 200, with a stable code: what the client sent is wrong, or what it names is absent. */
export class AdminError extends SibylError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    /** Extra response headers (405's Allow). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
    this.name = 'AdminError';
  }
}

export function badRequest(message: string, code = 'BAD_REQUEST'): AdminError {
  return new AdminError(400, code, message);
}

export function notFound(message: string, code = 'NOT_FOUND'): AdminError {
  return new AdminError(404, code, message);
}

type Segment = { readonly literal: string } | { readonly param: string };

interface CompiledRoute {
  readonly route: AdminRoute;
  readonly segments: readonly Segment[];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: AdminRoute; readonly params: Record<string, string> }
  /** The path exists for other methods only (405, with an Allow header). */
  | { readonly kind: 'wrong-method'; readonly allowed: readonly AdminMethod[] }
  | { readonly kind: 'not-found' };

export class AdminRouter {
  private readonly compiled: CompiledRoute[] = [];

  register(...routes: readonly AdminRoute[]): void {
    for (const route of routes) {
      const segments = compile(route.path);
      const clash = this.compiled.find(
        (other) => other.route.method === route.method && samePattern(other.segments, segments),
      );
      assert(clash === undefined, `admin route ${route.method} ${route.path} registered twice`);
      this.compiled.push({ route, segments });
    }
  }

  /** Every route, in registration order. */
  routes(): readonly AdminRoute[] {
    return this.compiled.map((c) => c.route);
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = pathname.split('/').slice(1);
    if (parts.length > 1 && parts.at(-1) === '') parts.pop(); // a trailing slash is the same path
    const allowed: AdminMethod[] = [];
    for (const { route, segments } of this.compiled) {
      const params = matchSegments(segments, parts);
      if (params === undefined) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
  }
}

function compile(path: string): Segment[] {
  assert(path.startsWith('/'), `admin route path '${path}' must start with /`);
  if (path === '/') return [{ literal: '' }];
  return path
    .slice(1)
    .split('/')
    .map((part) => (part.startsWith(':') ? { param: part.slice(1) } : { literal: part }));
}

function samePattern(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length === b.length && a.every((s, i) => segmentKey(s) === segmentKey(b[i]!));
}

function segmentKey(segment: Segment): string {
  return 'literal' in segment ? segment.literal : ':';
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = decodeSegment(part);
    }
  }
  return params;
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`malformed percent-encoding in path segment '${part}'`);
  }
}
