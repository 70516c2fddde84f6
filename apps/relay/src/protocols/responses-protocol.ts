import { readResponsesUsage, type Usage } from '@oneapi/providers';
import { TtlCache } from '@oneapi/cache';
import type { ChunkTranslator, ProtocolEventReader } from '../stream';
import type { ClientProtocol, ProtocolContext } from './client-protocol';
import { chatToResponse, newFrame, responsesErrorEvent, responsesIgnored, responsesToChat, ResponsesStreamWriter } from './responses-chat';

/**
 * Ids of responses a native stream created, by relay request id, until settlement records where
 * they live (the reader sees `response.created` long before the stream ends). Request ids are
 * unique, so relays sharing a process cannot mix them up; entries unclaimed for 10 minutes go.
 */
const createdIds = new TtlCache<string>(10 * 60 * 1000, 100_000);

/** The response id a native stream of request `requestId` announced (read once). */
export function takeCreatedId(requestId: string): string | undefined {
  const id = createdIds.get(requestId);
  if (id !== undefined) createdIds.delete(requestId);
  return id;
}

const TEXT_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta', 'response.function_call_arguments.delta', 'response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);
const FINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * A native Responses stream (OpenAI, Azure) as it passes through: the created response's id, the
 * usage of its final event (`response.completed`, `.incomplete` or `.failed`), and, until that
 * event, the generated text (what settlement counts if the stream breaks off first).
 */
class ResponsesEventReader implements ProtocolEventReader {
  usage: Usage | undefined;
  pendingText: string | undefined = '';
  private lastSequence = -1;

  constructor(private readonly ctx: ProtocolContext) {}

  event(name: string | undefined, data: unknown): boolean {
    if (typeof data !== 'object' || data === null) return false;
    const d = data as { type?: unknown; sequence_number?: unknown; delta?: unknown; response?: { id?: unknown } };
    const type = typeof d.type === 'string' ? d.type : name;
    if (typeof d.sequence_number === 'number') this.lastSequence = d.sequence_number;
    if (type === undefined) return false;
    if (type === 'response.created' && typeof d.response?.id === 'string') createdIds.set(this.ctx.requestId, d.response.id);
    else if (TEXT_DELTAS.has(type) && typeof d.delta === 'string' && this.pendingText !== undefined) this.pendingText += d.delta;
    else if (FINAL.has(type)) {
      const usage = readResponsesUsage(d.response);
      if (usage) {
        this.usage = usage;
        this.pendingText = undefined;
      }
      return true;
    }
    return type === 'error';
  }

  error(code: string, message: string): string {
    return responsesErrorEvent(code, message, this.lastSequence + 1);
  }

  /** Upstream text sits in the `error` event itself and in `response.failed`'s `response.error`. */
  errorOf(data: unknown): { message?: unknown } | undefined {
    const d = data as { type?: unknown; response?: { error?: unknown } };
    if (d.type === 'error') return d as { message?: unknown };
    if (d.type === 'response.failed' && typeof d.response?.error === 'object' && d.response.error !== null) return d.response.error as { message?: unknown };
    return undefined;
  }
}

/**
 * OpenAI's Responses API as a client protocol: native on OpenAI and Azure channels (their
 * adapters declare `responses`), through the stateless chat bridge (responses-chat.ts) on every
 * other channel that serves chat. Errors keep OpenAI's shape.
 */
export const responsesProtocol: ClientProtocol = {
  name: 'openai-responses',
  mode: 'responses',
  forwardHeaders: [],
  errorBody: (_status, error) => ({ error }),
  replyUsage: (body) => readResponsesUsage(body),
  nativeStream: (ctx) => new ResponsesEventReader(ctx),
  toChat: (body, ctx) => responsesToChat(body, ctx.upstreamModel, ctx.adapter.name, ctx.adapter.wireFormat === 'openai'),
  fromChat: (chat, ctx) => chatToResponse(chat, newFrame(ctx.request ?? {}, ctx.requestModel)),
  chatStream: (ctx): ChunkTranslator => new ResponsesStreamWriter(newFrame(ctx.request ?? {}, ctx.requestModel)),
  bridgeIgnored: (body, ctx) => responsesIgnored(body, ctx.adapter.wireFormat === 'openai'),
};
