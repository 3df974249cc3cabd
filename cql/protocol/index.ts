/** CQL native protocol v4: frames, body notations, messages, compression (see README.md). */

export { BodyReader } from './body-reader.js';
export { BodyWriter } from './body-writer.js';
export {
  type CompressionName,
  compressorFor,
  type FrameCompressor,
  lz4Compressor,
  SUPPORTED_COMPRESSIONS,
  snappyCompressor,
} from './compression.js';
export * from './constants.js';
export {
  type ErrorBody,
  errorBodyFrom,
  type PlainErrorCode,
  readErrorBody,
  writeErrorBody,
} from './error-message.js';
export type { ProtocolEvent, StatusChangeType, TopologyChangeType } from './event-message.js';
export {
  encodeFrame,
  type Frame,
  type FrameHeader,
  headerLengthOf,
  readFrameHeader,
  writeFrameHeader,
} from './frame.js';
export { type DecodedItem, FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
export {
  appendRequest,
  appendResponse,
  type CodecOptions,
  type CustomPayload,
  type DecodedRequest,
  type DecodedResponse,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type RequestEnvelope,
  type ResponseEnvelope,
} from './message-codec.js';
export {
  isSupportedVersion,
  negotiateCompression,
  SUPPORTED_VERSIONS_TEXT,
  startupOptions,
  unsupportedVersionMessage,
  unsupportedVersionResponse,
} from './negotiation.js';
export { ProtocolError } from './protocol-error.js';
export type { QueryParameters } from './query-parameters.js';
export type * from './request-messages.js';
export type * from './response-messages.js';
export type { ColumnSpec, Result, Row, RowsMetadata } from './result-message.js';
export type { SchemaChange, SchemaChangeType } from './schema-change.js';
export { type CustomType, type ProtocolType, readTypeOption, writeTypeOption } from './type-option.js';
export { type InetSocketAddress, NOT_SET, type NotSet, type ProtocolValue } from './values.js';
