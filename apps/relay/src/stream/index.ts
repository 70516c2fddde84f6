/**
 * The relay's stream engine: one upstream body relayed to one client response with
 * backpressure, an event size cap, idle/total timers and a proper ending. See `runStream`.
 */
export {
  runStream,
  StreamShutdown,
  sseErrorEvent,
  streamEndMessage,
  StreamFormats,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_END_GRACE_MS,
  type RunStreamOptions,
  type StreamSource,
  type StreamSink,
  type StreamEndReason,
  type StreamResult,
  type StreamFormat,
  type OpenAISseFormat,
  type ConvertedSseFormat,
  type ProtocolSseFormat,
  type BridgedSseFormat,
  type ProtocolEventReader,
  type ChunkTranslator,
  type RawSseFormat,
  type BinaryFormat,
} from './stream-engine';
export { chunkText } from './sse-fields';
