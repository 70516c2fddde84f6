/**
 * Anthropic Messages streams (https://docs.anthropic.com/en/api/messages-streaming): the events a
 * native Anthropic stream carries, read for usage ({@link MessagesEventReader}), and chat chunks
 * turned into that event sequence ({@link MessagesStreamWriter}):
 * message_start, ping, then per block content_block_start → content_block_delta (text_delta,
 * thinking_delta, input_json_delta)… → content_block_stop, then message_delta (stop_reason,
 * usage) and message_stop; an abnormal end is one `error` event.
 */
import type { Usage } from '@oneapi/providers';
import type { ChunkTranslator, ProtocolEventReader } from '../../stream';
import type { ProtocolContext } from '../client-protocol';
import { ANTHROPIC_STOP_REASON, anthropicUsageOf, chatUsage, messageId } from './messages-chat';
import { anthropicErrorType } from './messages-errors';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One SSE event of a Messages stream. */
export function messagesEvent(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The `error` event of a Messages stream (what the SDKs raise mid-stream). */
export function messagesErrorEvent(code: string, message: string): string {
  return messagesEvent('error', { error: { type: anthropicErrorType(0, code), message } });
}

/** Anthropic usage (input apart from cache reads and writes) → the relay's Usage. */
export function usageOfAnthropic(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const input = num(u.input_tokens) ?? 0;
  const write = num(u.cache_creation_input_tokens) ?? 0;
  const read = num(u.cache_read_input_tokens) ?? 0;
  const output = num(u.output_tokens) ?? 0;
  const prompt = input + write + read;
  return { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output, cache_read_tokens: read, cache_write_tokens: write };
}

/**
 * Reads a native Messages stream: usage from message_start (input and cache tokens) and
 * message_delta (cumulative output, and input fields when present), the end at message_stop or
 * an upstream error event. Until message_delta reports the output, the delivered text is kept
 * so a stream that breaks off is billed for what reached the client.
 */
export class MessagesEventReader implements ProtocolEventReader {
  private input: Json = {};
  private output = 0;
  private final = false;
  private text = '';

  get usage(): Usage | undefined {
    return usageOfAnthropic({ ...this.input, output_tokens: this.output });
  }

  get pendingText(): string | undefined {
    return this.final ? undefined : this.text;
  }

  event(name: string | undefined, data: unknown): boolean {
    if (!isObject(data)) return false;
    switch (data.type ?? name) {
      case 'message_start': {
        const u = isObject(data.message) && isObject(data.message.usage) ? data.message.usage : {};
        this.input = { ...u };
        this.output = num(u.output_tokens) ?? 0;
        return false;
      }
      case 'content_block_delta': {
        const d = isObject(data.delta) ? data.delta : {};
        const piece = d.text ?? d.thinking ?? d.partial_json;
        if (!this.final && typeof piece === 'string') this.text += piece;
        return false;
      }
      case 'message_delta': {
        const u = isObject(data.usage) ? data.usage : {};
        for (const k of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) if (num(u[k]) !== undefined) this.input[k] = u[k];
        if (num(u.output_tokens) !== undefined) {
          this.output = u.output_tokens as number;
          this.final = true;
        }
        return false;
      }
      case 'message_stop':
      case 'error':
        return true;
      default:
        return false;
    }
  }

  error(code: string, message: string): string {
    return messagesErrorEvent(code, message);
  }
}

type OpenBlock = { kind: 'text' | 'thinking' | 'tool'; index: number };

/** Chat chunks → the Messages event sequence, for a stream served through the chat bridge. */
export class MessagesStreamWriter implements ChunkTranslator {
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: OpenBlock | null = null;
  /** Chat tool_call index → its content block index. */
  private readonly tools = new Map<number, number>();
  private finish: string | null = null;
  private usage: Usage | undefined;

  constructor(private readonly ctx: ProtocolContext) {}

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = {
      id: messageId(),
      type: 'message',
      role: 'assistant',
      model: this.ctx.requestModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The upstream reports usage at the end; the prompt as counted here until then.
      usage: anthropicUsageOf(undefined, this.ctx.promptTokens),
    };
    return messagesEvent('message_start', { message }) + messagesEvent('ping', {});
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = null;
    return messagesEvent('content_block_stop', { index });
  }

  private openBlock(kind: OpenBlock['kind'], block: Json): string {
    const out = this.closeOpen();
    this.open = { kind, index: this.nextIndex++ };
    return out + messagesEvent('content_block_start', { index: this.open.index, content_block: block });
  }

  chunk(chunk: Record<string, unknown>): string {
    if (this.finished) return '';
    let out = this.start();
    const usage = chatUsage(chunk.usage);
    if (usage) this.usage = usage;
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : undefined;
    if (!choice) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const thinking = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
    if (thinking !== '') {
      if (this.open?.kind !== 'thinking') out += this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
      out += messagesEvent('content_block_delta', { index: this.open?.index, delta: { type: 'thinking_delta', thinking } });
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.open?.kind !== 'text') out += this.openBlock('text', { type: 'text', text: '' });
      out += messagesEvent('content_block_delta', { index: this.open?.index, delta: { type: 'text_delta', text: delta.content } });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isObject(call)) continue;
        const chatIndex = num(call.index) ?? 0;
        const fn = isObject(call.function) ? call.function : {};
        let index = this.tools.get(chatIndex);
        if (index === undefined) {
          out += this.openBlock('tool', { type: 'tool_use', id: typeof call.id === 'string' ? call.id : `toolu_${messageId().slice(4)}`, name: typeof fn.name === 'string' ? fn.name : '', input: {} });
          index = (this.open as OpenBlock).index;
          this.tools.set(chatIndex, index);
        }
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          out += messagesEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: fn.arguments } });
        }
      }
    }
    if (typeof choice.finish_reason === 'string') this.finish = choice.finish_reason;
    return out;
  }

  end(): string {
    if (this.finished) return '';
    let out = this.start() + this.closeOpen();
    this.finished = true;
    const u = anthropicUsageOf(this.usage, this.ctx.promptTokens);
    out += messagesEvent('message_delta', { delta: { stop_reason: ANTHROPIC_STOP_REASON[this.finish ?? 'stop'] ?? 'end_turn', stop_sequence: null }, usage: u });
    return out + messagesEvent('message_stop', {});
  }

  error(code: string, message: string): string {
    if (this.finished) return '';
    this.finished = true;
    return messagesErrorEvent(code, message);
  }
}
