import type { ConversionContext, ResponseConversion, SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { UnsupportedParameterError, UpstreamReplyError } from '../errors';
import { asChatRequest, num, partsOf, textOf } from '../native/openai-chat.types';
import { chunk, openAIError, usageChunk, usageOf } from '../native/openai-chunks';
import type { CozeChat, CozeChatRequest, CozeErrorBody, CozeMessage, CozeStreamMessage } from './coze.types';

/** The bot id of a model name: One API's convention `bot-{id}` (a bare id works too). */
export function cozeBotId(model: string): string {
  return model.startsWith('bot-') ? model.slice('bot-'.length) : model;
}

/**
 * OpenAI chat body → Coze v3 chat, always streamed (a JSON client gets the stream assembled):
 * user and assistant turns as text messages; a system message (Coze bots carry their own persona
 * and have no system role) goes first as a user message, so it is not lost. Tools and non-text
 * parts answer 400 naming the parameter: a bot's tools are its own plugins.
 */
export function toCozeChatRequest(body: Record<string, unknown>, ctx: ConversionContext): CozeChatRequest {
  const req = asChatRequest(body);
  if (Array.isArray(req.tools) && req.tools.length > 0) throw new UnsupportedParameterError('tools', 'tools: a Coze bot uses its own plugins; OpenAI tools cannot be passed');
  if ((num(req.n) ?? 1) > 1) throw new UnsupportedParameterError('n', 'n: a Coze bot returns one answer');
  const messages: CozeMessage[] = [];
  for (const [i, m] of req.messages.entries()) {
    if (partsOf(m.content).some((p) => p.type !== 'text')) throw new UnsupportedParameterError(`messages[${i}].content`, `messages[${i}].content: only text is relayed to Coze`);
    const text = textOf(m.content);
    if (m.role === 'assistant') messages.push({ role: 'assistant', content: text, content_type: 'text', type: 'answer' });
    else if (m.role === 'user' || m.role === 'system' || m.role === 'developer') messages.push({ role: 'user', content: text, content_type: 'text', type: 'question' });
    else throw new UnsupportedParameterError(`messages[${i}].role`, `messages[${i}].role: ${m.role} messages cannot be sent to a Coze bot`);
  }
  const user = typeof req.user === 'string' && req.user !== '' ? req.user : 'one-api';
  return { bot_id: cozeBotId(ctx.upstreamModel), user_id: user, stream: true, auto_save_history: true, additional_messages: messages };
}

/** HTTP status of a Coze error code (https://www.coze.com/docs/developer_guides/coze_error_codes). */
function cozeErrorStatus(code: number): number {
  if (code === 4100 || code === 4101 || code === 700012006) return 401;
  if (code === 4013 || code === 4028 || code === 4029) return 429;
  if (code >= 4000 && code < 5000) return 400;
  return 500;
}

/** Coze answers errors with HTTP 200 and `{code, msg}`; success is always a stream. */
export function fromCozeJson(body: unknown, _ctx: ConversionContext): ResponseConversion {
  const e = body as CozeErrorBody;
  if (typeof e === 'object' && e !== null && typeof e.code === 'number' && e.code !== 0) throw new UpstreamReplyError(cozeErrorStatus(e.code), `Coze error ${e.code}: ${e.msg ?? ''}`, 'coze_error');
  throw new Error('Coze answered JSON where a stream was expected');
}

/**
 * One Coze v3 stream event → OpenAI chunks: `conversation.message.delta` of the `answer` →
 * content (the first also opens the assistant turn); `conversation.chat.completed` → finish and
 * the usage Coze counted, stream done; `conversation.chat.failed` and `error` → an error event.
 * Other events (verbose and follow-up messages, `.completed` copies) carry nothing new.
 */
export function convertCozeStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = event.data;
  }
  switch (event.event) {
    case 'conversation.message.delta': {
      const m = data as CozeStreamMessage;
      if (m.role !== 'assistant' || m.type !== 'answer' || !m.content) return { chunks: [], done: false };
      const chunks: Record<string, unknown>[] = [];
      if (state.scratch.started !== true) {
        state.scratch.started = true;
        chunks.push(chunk(state, { role: 'assistant', content: '' }));
      }
      chunks.push(chunk(state, { content: m.content }));
      return { chunks, done: false };
    }
    case 'conversation.chat.completed': {
      const c = data as CozeChat;
      const chunks: Record<string, unknown>[] = [];
      if (state.scratch.started !== true) chunks.push(chunk(state, { role: 'assistant', content: '' }));
      state.finishReason = 'stop';
      chunks.push(chunk(state, {}, 'stop'));
      const u = c.usage;
      if (u && typeof u.input_count === 'number') {
        state.usage = usageOf(u.input_count, num(u.output_count) ?? 0);
        chunks.push(usageChunk(state, state.usage));
      }
      return { chunks, done: true };
    }
    case 'conversation.chat.failed':
    case 'error': {
      const c = data as CozeChat & CozeErrorBody;
      const msg = c.last_error?.msg ?? c.msg ?? 'Coze chat failed';
      return { chunks: [{ ...openAIError(msg, 'upstream_error') }], done: true };
    }
    case 'done':
      return { chunks: [], done: true };
    default:
      return { chunks: [], done: false };
  }
}
