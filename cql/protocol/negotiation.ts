/**
 * What a connection agrees on before queries: the protocol version (only v4 here; a driver opening
 * with v5 or DSE's 0x41/0x42 is told so and reconnects with v4) and the compression STARTUP names.
 */

import { BodyWriter } from './body-writer.js';
import { type CompressionName, compressorFor, type FrameCompressor } from './compression.js';
import { ErrorCode, Opcode, PROTOCOL_VERSION, StartupOption } from './constants.js';
import { writeErrorBody } from './error-message.js';
import { encodeFrame, type FrameHeader } from './frame.js';
import type { StartupMessage } from './request-messages.js';

/**
 * What Cassandra 4.0 lists (ProtocolVersion.supportedVersions()), word for word: drivers look for
 * this message's prefix to step down, and some parse the list.
 */
export const SUPPORTED_VERSIONS_TEXT = '3/v3, 4/v4, 5/v5-beta';

export function unsupportedVersionMessage(version: number): string {
  return `Invalid or unsupported protocol version (${version}); supported versions are (${SUPPORTED_VERSIONS_TEXT})`;
}

export function isSupportedVersion(version: number): boolean {
  return version === PROTOCOL_VERSION;
}

/**
 * The ERROR (ProtocolError) frame answering a frame of an unsupported version, on its stream, in
 * the client's own version and header layout (8 bytes before v3), so the client can read it.
 */
export function unsupportedVersionResponse(header: Pick<FrameHeader, 'version' | 'streamId'>): Buffer {
  const writer = new BodyWriter(160);
  writeErrorBody(writer, {
    code: ErrorCode.PROTOCOL_ERROR,
    message: unsupportedVersionMessage(header.version),
  });
  const frameHeader = {
    version: header.version,
    isResponse: true,
    flags: 0,
    streamId: header.streamId,
    opcode: Opcode.ERROR,
  };
  return encodeFrame(frameHeader, writer.finish());
}

/**
 * The compressor STARTUP asks for (undefined without COMPRESSION). An unknown algorithm is a
 * ProtocolError, as in Cassandra.
 */
export function negotiateCompression(startup: StartupMessage): FrameCompressor | undefined {
  const name = startup.options.get(StartupOption.COMPRESSION);
  return name === undefined ? undefined : compressorFor(name);
}

/** The STARTUP options a client sends: CQL 3.0.0 and, optionally, a compression. */
export function startupOptions(
  compression?: CompressionName,
  extra: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const options = new Map<string, string>([[StartupOption.CQL_VERSION, '3.0.0']]);
  if (compression !== undefined) options.set(StartupOption.COMPRESSION, compression);
  for (const [key, value] of Object.entries(extra)) options.set(key, value);
  return options;
}
