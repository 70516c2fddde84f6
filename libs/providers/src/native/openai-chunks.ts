import { randomUUID } from 'node:crypto';
import type { ConversionContext, StreamState, Usage } from '../adapter.types';

/** OpenAI's error object, as `/v1` answers it and as streams carry it in a `data:` line. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A fresh `chatcmpl-...` id (OpenAI ids are opaque; clients only compare them). */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replace(/-/g, '')}`;
}

/** A fresh tool-call id for providers that do not name their calls (Gemini). */
export function toolCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** The stream state every native adapter starts from. */
export function newStreamState(ctx: ConversionContext, now: number = Date.now()): StreamState {
  return { id: completionId(), model: ctx.requestModel, created: Math.floor(now / 1000), finishReason: null, toolCallIndex: new Map(), scratch: {} };
}

/** One `chat.completion.chunk` with a single choice. */
export function chunk(state: StreamState, delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return {
    id: state.id,
    object: 'chat.completion.chunk',
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The usage-only chunk OpenAI sends last when `stream_options.include_usage` is set (`choices: []`). */
export function usageChunk(state: StreamState, usage: Usage): Record<string, unknown> {
  return { id: state.id, object: 'chat.completion.chunk', created: state.created, model: state.model, choices: [], usage };
}

/** OpenAI's error shape from a provider's error type and message. */
export function openAIError(message: string, type: string, code: string | null = null): OpenAIErrorBody {
  return { error: { message: message || 'upstream error', type: type || 'upstream_error', param: null, code } };
}

/** Usage from prompt and completion counts. */
export function usageOf(prompt: number, completion: number, total?: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total ?? prompt + completion };
}
