import type { SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { chunk, openAIError, usageChunk } from '../native/openai-chunks';
import { tencentError, tencentFinishReason, tencentUsage } from './tencent-chat';
import type { TencentChatResponse } from './tencent.types';

const NOTHING: StreamConversion = { chunks: [], done: false };

/**
 * One Hunyuan stream event (`data: {Choices: [{Delta, FinishReason}], Usage}`) → OpenAI chunks:
 * the first event opens the assistant turn; content and tool calls (a new `Id` opens a call, its
 * `Index` carries later argument pieces) follow; the event with a `FinishReason` ends the stream
 * with the usage Hunyuan reported (cumulative in every event).
 */
export function convertTencentStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let r: TencentChatResponse;
  try {
    r = JSON.parse(event.data) as TencentChatResponse;
  } catch {
    return NOTHING;
  }
  const error = tencentError(r);
  if (error) return { chunks: [{ ...openAIError(error.message, 'upstream_error') }], done: true };
  const chunks: Record<string, unknown>[] = [];
  if (state.scratch.started !== true) {
    state.scratch.started = true;
    chunks.push(chunk(state, { role: 'assistant', content: '' }));
  }
  const choice = r.Choices?.[0];
  const delta = choice?.Delta;
  if (delta?.Content) chunks.push(chunk(state, { content: delta.Content }));
  for (const c of delta?.ToolCalls ?? []) {
    const known = c.Id ? state.toolCallIndex.get(c.Id) : undefined;
    if (c.Id && known === undefined) {
      const index = state.toolCallIndex.size;
      state.toolCallIndex.set(c.Id, index);
      state.toolCallIndex.set(`#${c.Index ?? index}`, index);
      chunks.push(chunk(state, { tool_calls: [{ index, id: c.Id, type: 'function', function: { name: c.Function?.Name ?? '', arguments: c.Function?.Arguments ?? '' } }] }));
    } else {
      const index = known ?? state.toolCallIndex.get(`#${c.Index ?? -1}`);
      if (index !== undefined && c.Function?.Arguments) chunks.push(chunk(state, { tool_calls: [{ index, function: { arguments: c.Function.Arguments } }] }));
    }
  }
  const usage = tencentUsage(r.Usage);
  if (usage) state.usage = usage;
  if (!choice?.FinishReason) return { chunks, done: false };
  const finish = tencentFinishReason(choice.FinishReason, state.toolCallIndex.size > 0);
  state.finishReason = finish;
  chunks.push(chunk(state, {}, finish));
  if (state.usage) chunks.push(usageChunk(state, state.usage));
  return { chunks, done: true };
}
