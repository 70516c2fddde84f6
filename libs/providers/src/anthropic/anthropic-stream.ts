import type { SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { chunk, openAIError, usageChunk, usageOf } from '../native/openai-chunks';
import { num } from '../native/openai-chat.types';
import { toOpenAIFinishReason } from '../stop-reasons';
import { ANTHROPIC_RESPONSE_TOOL, anthropicErrorToOpenAI, anthropicUsage, finishOf } from './anthropic-chat';
import type { AnthropicUsage } from './anthropic.types';

/** What the Anthropic stream converter keeps in `state.scratch`. */
interface AnthropicScratch {
  /** Content block index → tool-call id, for `input_json_delta` events (they carry only the block index). */
  blockTool: Record<number, string>;
  /** Prompt tokens from `message_start` (input + cache). */
  promptTokens: number;
  /** True once the usage chunk went out. */
  usageSent: boolean;
  /** Content block index of the `response_format` tool, whose input is streamed as content. */
  responseBlock?: number;
}

function scratchOf(state: StreamState): AnthropicScratch {
  const s = state.scratch as Partial<AnthropicScratch>;
  if (!s.blockTool) {
    s.blockTool = {};
    s.promptTokens = 0;
    s.usageSent = false;
  }
  return s as AnthropicScratch;
}

const NOTHING: StreamConversion = { chunks: [], done: false };

interface StreamPayload {
  type?: string;
  index?: number;
  message?: { usage?: AnthropicUsage };
  content_block?: { type?: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/**
 * One Anthropic stream event → OpenAI chunks (https://docs.anthropic.com/en/api/messages-streaming):
 * - `message_start` → the role chunk; its usage holds the prompt tokens;
 * - `content_block_start` of a `tool_use` block → the tool call's first chunk (id, name, `""`
 *   arguments) at the next OpenAI tool index; `content_block_delta` `text_delta` → content,
 *   `input_json_delta` → arguments of the call at that block's tool index, `thinking_delta` →
 *   `reasoning_content`;
 * - `message_delta` → the finish chunk (stop_reason mapped) and the final usage;
 * - `message_stop` → the usage chunk (`choices: []`), stream done;
 * - `error` → OpenAI's error object as a data line, stream done; `ping` and unknown events → nothing.
 */
export function convertAnthropicStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let p: StreamPayload;
  try {
    p = JSON.parse(event.data) as StreamPayload;
  } catch {
    return NOTHING;
  }
  const sc = scratchOf(state);
  switch (p.type ?? event.event) {
    case 'message_start': {
      const start = anthropicUsage(p.message?.usage);
      sc.promptTokens = start?.prompt_tokens ?? 0;
      // A stream cut short before message_delta is billed on what Anthropic reported here.
      if (start) state.reportedUsage = start;
      return { chunks: [chunk(state, { role: 'assistant', content: '' })], done: false };
    }
    case 'content_block_start': {
      const b = p.content_block;
      if (b?.type === 'tool_use' && b.name === ANTHROPIC_RESPONSE_TOOL) {
        sc.responseBlock = num(p.index) ?? -1;
        return NOTHING;
      }
      if (b?.type === 'tool_use' && typeof b.id === 'string') {
        const index = state.toolCallIndex.size;
        state.toolCallIndex.set(b.id, index);
        sc.blockTool[num(p.index) ?? -1] = b.id;
        return { chunks: [chunk(state, { tool_calls: [{ index, id: b.id, type: 'function', function: { name: b.name ?? '', arguments: '' } }] })], done: false };
      }
      if (b?.type === 'text' && b.text) return { chunks: [chunk(state, { content: b.text })], done: false };
      return NOTHING;
    }
    case 'content_block_delta': {
      const d = p.delta;
      if (d?.type === 'text_delta' && d.text) return { chunks: [chunk(state, { content: d.text })], done: false };
      if (d?.type === 'thinking_delta' && d.thinking) return { chunks: [chunk(state, { reasoning_content: d.thinking })], done: false };
      if (d?.type === 'input_json_delta' && d.partial_json && sc.responseBlock !== undefined && num(p.index) === sc.responseBlock) {
        return { chunks: [chunk(state, { content: d.partial_json })], done: false };
      }
      if (d?.type === 'input_json_delta' && d.partial_json) {
        const id = sc.blockTool[num(p.index) ?? -1];
        const index = id === undefined ? undefined : state.toolCallIndex.get(id);
        if (index === undefined) return NOTHING;
        return { chunks: [chunk(state, { tool_calls: [{ index, function: { arguments: d.partial_json } }] })], done: false };
      }
      return NOTHING;
    }
    case 'message_delta': {
      // message_delta usage is cumulative (https://docs.anthropic.com/en/api/messages-streaming#event-types);
      // its input fields, when present, supersede message_start's.
      const u = p.usage;
      const prompt = Math.max(sc.promptTokens, anthropicUsage(u)?.prompt_tokens ?? 0);
      state.usage = usageOf(prompt, num(u?.output_tokens) ?? 0);
      if (toOpenAIFinishReason('anthropic', p.delta?.stop_reason) === null) return NOTHING;
      const reason = finishOf(p.delta?.stop_reason, state.toolCallIndex.size > 0);
      state.finishReason = reason;
      return { chunks: [chunk(state, {}, reason)], done: false };
    }
    case 'message_stop': {
      const chunks: Record<string, unknown>[] = [];
      if (!state.finishReason) {
        state.finishReason = 'stop';
        chunks.push(chunk(state, {}, 'stop'));
      }
      if (state.usage && !sc.usageSent) {
        sc.usageSent = true;
        chunks.push(usageChunk(state, state.usage));
      }
      return { chunks, done: true };
    }
    case 'error': {
      const e = anthropicErrorToOpenAI(p) ?? openAIError('Anthropic stream error', 'upstream_error');
      return { chunks: [{ ...e }], done: true };
    }
    default:
      return NOTHING;
  }
}
