import type { SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { chunk, toolCallId, usageChunk } from '../native/openai-chunks';
import { candidateFinish, geminiErrorToOpenAI, geminiUsage, readParts } from './gemini-chat';
import type { GeminiResponse } from './gemini.types';

interface GeminiScratch {
  /** True once the role chunk went out. */
  started: boolean;
}

const NOTHING: StreamConversion = { chunks: [], done: false };

/**
 * One `streamGenerateContent?alt=sse` event (a whole GenerateContentResponse holding the next
 * slice of candidate 0) → OpenAI chunks:
 * - the first event also yields the role chunk;
 * - text parts → content, thought parts → `reasoning_content`, each `functionCall` part → one
 *   complete tool call (Gemini never splits arguments) at the next OpenAI tool index;
 * - the event carrying `finishReason` → the finish chunk (`tool_calls` when calls were made) and
 *   the usage chunk; the stream is then done (Gemini ends by closing, with no terminator event);
 * - `{"error":{...}}` → OpenAI's error object as a data line, stream done.
 */
export function convertGeminiStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let res: GeminiResponse;
  try {
    res = JSON.parse(event.data) as GeminiResponse;
  } catch {
    return NOTHING;
  }
  const error = geminiErrorToOpenAI(res);
  if (error) return { chunks: [{ ...error }], done: true };
  const sc = state.scratch as Partial<GeminiScratch>;
  const chunks: Record<string, unknown>[] = [];
  if (!sc.started) {
    sc.started = true;
    chunks.push(chunk(state, { role: 'assistant', content: '' }));
  }
  const usage = geminiUsage(res.usageMetadata);
  // Running counts until the finish event: a stream cut short is billed on what Gemini reported.
  if (usage) state.reportedUsage = usage;
  const candidate = res.candidates?.[0];
  if (!candidate) {
    // A blocked prompt streams one event with promptFeedback.blockReason and no candidates.
    if (res.promptFeedback?.blockReason) {
      state.finishReason = 'content_filter';
      if (usage) state.usage = usage;
      chunks.push(chunk(state, {}, 'content_filter'));
      if (state.usage) chunks.push(usageChunk(state, state.usage));
      return { chunks, done: true };
    }
    return { chunks, done: false };
  }
  const { text, reasoning, calls } = readParts(candidate.content?.parts);
  if (reasoning !== '') chunks.push(chunk(state, { reasoning_content: reasoning }));
  if (text !== '') chunks.push(chunk(state, { content: text }));
  for (const call of calls) {
    const id = toolCallId();
    const index = state.toolCallIndex.size;
    state.toolCallIndex.set(id, index);
    chunks.push(chunk(state, { tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] }));
  }
  const finish = candidateFinish(candidate, state.toolCallIndex.size > 0);
  if (finish === null) return { chunks, done: false };
  state.finishReason = finish;
  // Only the finish event's usageMetadata is final; earlier ones may lack candidatesTokenCount.
  if (usage) state.usage = usage;
  chunks.push(chunk(state, {}, finish));
  if (state.usage) chunks.push(usageChunk(state, state.usage));
  return { chunks, done: true };
}
