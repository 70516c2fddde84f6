import type { SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { num } from '../native/openai-chat.types';
import { chunk, openAIError, usageChunk } from '../native/openai-chunks';
import { toOpenAIFinishReason } from '../stop-reasons';
import { cohereUsage } from './cohere-chat';
import type { CohereUsage } from './cohere-chat.types';

interface CohereStreamEvent {
  type?: string;
  index?: number;
  message?: string;
  delta?: {
    message?: {
      content?: { text?: string };
      tool_plan?: string;
      tool_calls?: { id?: string; function?: { name?: string; arguments?: string } };
    };
    finish_reason?: string;
    usage?: CohereUsage;
  };
}

const NOTHING: StreamConversion = { chunks: [], done: false };

/**
 * One Cohere v2 stream event (https://docs.cohere.com/reference/chat-stream) → OpenAI chunks:
 * `message-start` → the role chunk; `content-delta` → content; `tool-call-start` → the call's
 * first chunk (id, name) at its index, `tool-call-delta` → its arguments; `message-end` → the
 * finish chunk, the usage as billed and the usage chunk, stream done. `tool-plan-delta`,
 * `content-start/end`, `tool-call-end` and citations carry nothing OpenAI has.
 */
export function convertCohereStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let p: CohereStreamEvent;
  try {
    p = JSON.parse(event.data) as CohereStreamEvent;
  } catch {
    return NOTHING;
  }
  const msg = p.delta?.message;
  switch (p.type ?? event.event) {
    case 'message-start':
      return { chunks: [chunk(state, { role: 'assistant', content: '' })], done: false };
    case 'content-delta': {
      const text = msg?.content?.text;
      return text ? { chunks: [chunk(state, { content: text })], done: false } : NOTHING;
    }
    case 'tool-call-start': {
      const call = msg?.tool_calls;
      if (!call?.id) return NOTHING;
      const index = state.toolCallIndex.size;
      state.toolCallIndex.set(String(num(p.index) ?? index), index);
      return { chunks: [chunk(state, { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' } }] })], done: false };
    }
    case 'tool-call-delta': {
      const args = msg?.tool_calls?.function?.arguments;
      const index = state.toolCallIndex.get(String(num(p.index) ?? -1));
      if (!args || index === undefined) return NOTHING;
      return { chunks: [chunk(state, { tool_calls: [{ index, function: { arguments: args } }] })], done: false };
    }
    case 'message-end': {
      const reason = toOpenAIFinishReason('cohere', p.delta?.finish_reason) ?? 'stop';
      state.finishReason = reason;
      const chunks = [chunk(state, {}, reason)];
      const usage = cohereUsage(p.delta?.usage);
      if (usage) {
        state.usage = usage;
        chunks.push(usageChunk(state, usage));
      }
      return { chunks, done: true };
    }
    case 'error': {
      const e = openAIError(typeof p.message === 'string' ? p.message : 'Cohere stream error', 'upstream_error');
      return { chunks: [{ ...e }], done: true };
    }
    default:
      return NOTHING;
  }
}
