import type { SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { chunk, openAIError, usageChunk } from '../native/openai-chunks';
import { baiduError, baiduUsage } from './baidu-chat';
import type { BaiduChatResponse } from './baidu.types';

const NOTHING: StreamConversion = { chunks: [], done: false };

/**
 * One ERNIE stream event (`data: {result, is_end, usage}`) → OpenAI chunks: the first event also
 * opens the assistant turn; the `is_end` event carries the finish and the usage (which ERNIE
 * reports cumulatively), then the stream is done. An error event ends the stream with an error.
 */
export function convertBaiduStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let r: BaiduChatResponse;
  try {
    r = JSON.parse(event.data) as BaiduChatResponse;
  } catch {
    return NOTHING;
  }
  const error = baiduError(r);
  if (error) return { chunks: [{ ...openAIError(error.message, 'upstream_error') }], done: true };
  const chunks: Record<string, unknown>[] = [];
  if (state.scratch.started !== true) {
    state.scratch.started = true;
    chunks.push(chunk(state, { role: 'assistant', content: '' }));
  }
  if (r.result) chunks.push(chunk(state, { content: r.result }));
  const usage = baiduUsage(r.usage);
  if (usage) state.usage = usage;
  if (r.is_end !== true) return { chunks, done: false };
  const finish = r.finish_reason === 'length' ? 'length' : r.finish_reason === 'content_filter' ? 'content_filter' : 'stop';
  state.finishReason = finish;
  chunks.push(chunk(state, {}, finish));
  if (state.usage) chunks.push(usageChunk(state, state.usage));
  return { chunks, done: true };
}
