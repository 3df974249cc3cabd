/**
 * Whole frames ↔ messages: the header, the envelope fields the header flags announce (a request's
 * custom payload; a response's tracing id, warnings and custom payload, in that order) and the
 * body, compressed when a compressor was negotiated by STARTUP.
 */
import { BodyReader } from './body-reader.js';
import { BodyWriter } from './body-writer.js';
import type { FrameCompressor } from './compression.js';
import { FrameFlag, MAX_FRAME_BODY_BYTES, Opcode, PROTOCOL_VERSION } from './constants.js';
import type { Frame, FrameHeader } from './frame.js';
import { ProtocolError } from './protocol-error.js';
import { type RequestMessage, readRequestBody, writeRequestBody } from './request-messages.js';
import { type ResponseMessage, readResponseBody, writeResponseBody } from './response-messages.js';

export type CustomPayload = ReadonlyMap<string, Uint8Array | null>;

export interface RequestEnvelope {
  readonly streamId: number;
  /** Ask the server to trace this request (QUERY, PREPARE, EXECUTE, BATCH). */
  readonly tracing?: boolean;
  readonly customPayload?: CustomPayload;
}

export interface ResponseEnvelope {
  readonly streamId: number;
  /** The session id of a traced request (a uuid). */
  readonly tracingId?: string;
  readonly warnings?: readonly string[];
  readonly customPayload?: CustomPayload;
}

export interface CodecOptions {
  /** Set once STARTUP negotiated compression; STARTUP itself is never compressed. */
  readonly compressor?: FrameCompressor;
  /** Limit on a decompressed body (default 256 MiB). */
  readonly maxFrameBodyBytes?: number;
}

export interface DecodedRequest {
  readonly header: FrameHeader;
  readonly message: RequestMessage;
  readonly tracing: boolean;
  readonly customPayload?: CustomPayload;
}

export interface DecodedResponse {
  readonly header: FrameHeader;
  readonly message: ResponseMessage;
  readonly tracingId?: string;
  readonly warnings?: readonly string[];
  readonly customPayload?: CustomPayload;
}

/** One request frame as its own buffer. */
export function encodeRequest(
  message: RequestMessage,
  envelope: RequestEnvelope,
  options: CodecOptions = {},
): Buffer {
  const writer = new BodyWriter(256);
  appendRequest(writer, message, envelope, options);
  return writer.take();
}

/**
 * Appends one whole request frame to `out` (a connection's output batch). On an encoding error
 * nothing is appended and the error is thrown.
 */
export function appendRequest(
  out: BodyWriter,
  message: RequestMessage,
  envelope: RequestEnvelope,
  options: CodecOptions = {},
): void {
  out.beginFrame();
  try {
    let flags = envelope.tracing ? FrameFlag.TRACING : 0;
    if (envelope.customPayload !== undefined) {
      flags |= FrameFlag.CUSTOM_PAYLOAD;
      out.bytesMap(envelope.customPayload);
    }
    writeRequestBody(out, message);
    const compressor = message.type === 'STARTUP' ? undefined : options.compressor;
    const opcode = Opcode[message.type];
    const header = {
      version: PROTOCOL_VERSION,
      isResponse: false,
      flags,
      streamId: envelope.streamId,
      opcode,
    };
    endFrame(out, header, compressor);
  } catch (error) {
    out.abandonFrame();
    throw error;
  }
}

/** One response frame as its own buffer. */
export function encodeResponse(
  message: ResponseMessage,
  envelope: ResponseEnvelope,
  options: CodecOptions & { readonly version?: number } = {},
): Buffer {
  const writer = new BodyWriter(256);
  appendResponse(writer, message, envelope, options);
  return writer.take();
}

/**
 * Appends one whole response frame to `out` (a connection's output batch). On an encoding error
 * nothing is appended and the error is thrown.
 */
export function appendResponse(
  out: BodyWriter,
  message: ResponseMessage,
  envelope: ResponseEnvelope,
  options: CodecOptions & { readonly version?: number } = {},
): void {
  out.beginFrame();
  try {
    let flags = 0;
    if (envelope.tracingId !== undefined) {
      flags |= FrameFlag.TRACING;
      out.uuid(envelope.tracingId);
    }
    if (envelope.warnings !== undefined) {
      flags |= FrameFlag.WARNING;
      out.stringList(envelope.warnings);
    }
    if (envelope.customPayload !== undefined) {
      flags |= FrameFlag.CUSTOM_PAYLOAD;
      out.bytesMap(envelope.customPayload);
    }
    writeResponseBody(out, message);
    const version = options.version ?? PROTOCOL_VERSION;
    const opcode = Opcode[message.type];
    const header = { version, isResponse: true, flags, streamId: envelope.streamId, opcode };
    endFrame(out, header, options.compressor);
  } catch (error) {
    out.abandonFrame();
    throw error;
  }
}

function endFrame(
  out: BodyWriter,
  header: Omit<FrameHeader, 'bodyLength'>,
  compressor: FrameCompressor | undefined,
): void {
  const body = out.frameBody();
  // An empty body is sent as is: there is nothing to gain and a peer need not decompress nothing.
  if (compressor === undefined || body.length === 0) {
    out.endFrame(header);
    return;
  }
  out.replaceFrameBody(compressor.compress(body));
  out.endFrame({ ...header, flags: header.flags | FrameFlag.COMPRESSION });
}

export function decodeRequest(frame: Frame, options: CodecOptions = {}): DecodedRequest {
  const { header } = frame;
  if (header.isResponse) throw new ProtocolError('Wrong protocol direction (expected REQUEST, got RESPONSE)');
  const reader = new BodyReader(plainBody(frame, options));
  const customPayload = header.flags & FrameFlag.CUSTOM_PAYLOAD ? reader.bytesMap() : undefined;
  const message = readRequestBody(header.opcode, reader);
  if (message === undefined) throw new ProtocolError(`Unknown or unexpected request opcode ${header.opcode}`);
  const tracing = (header.flags & FrameFlag.TRACING) !== 0;
  return customPayload === undefined
    ? { header, message, tracing }
    : { header, message, tracing, customPayload };
}

export function decodeResponse(frame: Frame, options: CodecOptions = {}): DecodedResponse {
  const { header } = frame;
  if (!header.isResponse)
    throw new ProtocolError('Wrong protocol direction (expected RESPONSE, got REQUEST)');
  const reader = new BodyReader(plainBody(frame, options));
  const envelope: { -readonly [K in 'tracingId' | 'warnings' | 'customPayload']?: DecodedResponse[K] } = {};
  if (header.flags & FrameFlag.TRACING) envelope.tracingId = reader.uuid();
  if (header.flags & FrameFlag.WARNING) envelope.warnings = reader.stringList();
  if (header.flags & FrameFlag.CUSTOM_PAYLOAD) envelope.customPayload = reader.bytesMap();
  const message = readResponseBody(header.opcode, reader);
  if (message === undefined)
    throw new ProtocolError(`Unknown or unexpected response opcode ${header.opcode}`);
  return { header, message, ...envelope };
}

function plainBody(frame: Frame, options: CodecOptions): Uint8Array {
  if ((frame.header.flags & FrameFlag.COMPRESSION) === 0) return frame.body;
  if (options.compressor === undefined) {
    throw new ProtocolError('Received a compressed frame but no compression was negotiated');
  }
  return options.compressor.decompress(frame.body, options.maxFrameBodyBytes ?? MAX_FRAME_BODY_BYTES);
}
