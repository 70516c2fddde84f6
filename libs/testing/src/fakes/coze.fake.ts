import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

const FIELDS = new Set(['bot_id', 'user_id', 'stream', 'auto_save_history', 'additional_messages', 'custom_variables', 'meta_data', 'extra_params', 'conversation_id', 'shortcut_command', 'parameters']);

/** Coze refuses with HTTP 200 and `{code, msg}`. */
function cozeError(ctx: UpstreamContext, code: number, msg: string): void {
  ctx.json(200, { code, msg, detail: { logid: 'fake-log-id' } });
}

/**
 * A fake Coze chat API v3 (`POST /v3/chat`): the personal access token as Bearer (code 4100
 * otherwise, with HTTP 200 as Coze answers), unknown fields and bad messages are code 4000;
 * `stream: true` answers the v3 events (chat.created, message.delta of the answer, a verbose
 * message, message.completed, chat.completed with `usage`, done); without a stream the chat is
 * only created (`in_progress`), as v3 does. Knobs through the bot id (`bot-c34-chunks-3`).
 */
export async function startFakeCoze(opts: FakeUpstreamOptions & { apiKey: string }): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, res } = ctx;
    if (req.method !== 'POST' || record.path !== '/v3/chat') return ctx.json(404, { code: 404, msg: 'not found' });
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return cozeError(ctx, 4100, 'authentication is invalid');
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    for (const k of Object.keys(body)) if (!FIELDS.has(k)) return cozeError(ctx, 4000, `The requested parameter ${k} is invalid`);
    if (typeof body.bot_id !== 'string' || body.bot_id === '' || typeof body.user_id !== 'string' || body.user_id === '') return cozeError(ctx, 4000, 'bot_id and user_id are required');
    const messages = body.additional_messages as { role?: unknown; content?: unknown; content_type?: unknown }[] | undefined;
    if (!Array.isArray(messages) || messages.length === 0) return cozeError(ctx, 4000, 'additional_messages is required');
    for (const m of messages) {
      if (m.role !== 'user' && m.role !== 'assistant') return cozeError(ctx, 4000, 'role must be user or assistant');
      if (m.content_type !== 'text' || typeof m.content !== 'string') return cozeError(ctx, 4000, 'content_type text needs string content');
    }
    const bot = body.bot_id;
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(bot) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return cozeError(ctx, k.status === 429 ? 4013 : 5000, k.errorMessage ?? `fake Coze: ${k.status}`);
    const chat = { id: 'chat-fake', conversation_id: 'conv-fake', bot_id: bot, created_at: Math.floor(Date.now() / 1000) };
    if (body.stream !== true) return ctx.json(200, { code: 0, msg: '', data: { ...chat, status: 'in_progress' } });
    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const output = k.completionTokens ?? pieces.length;
    const ev = (event: string, data: unknown, content = false) => ({ text: `event:${event}\ndata:${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`, content });
    const msg = { id: 'msg-fake', conversation_id: chat.conversation_id, bot_id: bot, chat_id: chat.id, role: 'assistant', content_type: 'text' };
    const events = [
      ev('conversation.chat.created', { ...chat, status: 'created' }),
      ev('conversation.chat.in_progress', { ...chat, status: 'in_progress' }),
      ...pieces.map((p) => ev('conversation.message.delta', { ...msg, type: 'answer', content: p }, true)),
      ev('conversation.message.completed', { ...msg, type: 'answer', content: pieces.join('') }),
      ev('conversation.message.completed', { ...msg, type: 'verbose', content: '{"msg_type":"generate_answer_finish"}' }),
      ev('conversation.chat.completed', { ...chat, status: 'completed', usage: { token_count: k.promptTokens + output, output_count: output, input_count: k.promptTokens } }),
      ev('done', '"[DONE]"'),
    ];
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
