import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Anthropic's error body (https://docs.anthropic.com/en/api/errors). */
export function anthropicError(status: number, message?: string): { type: 'error'; error: { type: string; message: string } } {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: message ?? `fake Anthropic: ${type}` } };
}

const TOOL_USES = [
  { id: 'toolu_fake_0', name: 'get_weather', args: ['{"city":', ' "Paris"}'] },
  { id: 'toolu_fake_1', name: 'get_time', args: ['{"tz": "UTC"}'] },
];

/** What a real Messages API would refuse, so conversion mistakes fail loudly in tests. */
function invalidRequest(body: Record<string, unknown>): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of (body.messages as { role?: unknown; content?: unknown }[]).entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks) || blocks.length === 0) return `messages.${i}.content: at least one block is required`;
    for (const b of blocks as { type?: unknown; text?: unknown }[]) {
      if (b.type === 'text' && (typeof b.text !== 'string' || b.text === '')) return `messages.${i}: text content blocks must be non-empty`;
    }
  }
  return undefined;
}

function sse(event: string, data: Record<string, unknown>): string {
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
}

/**
 * A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` (JSON and SSE streams with
 * message_start … message_stop), checking `x-api-key` (401 authentication_error) and
 * `anthropic-version` (400), and rejecting what Anthropic rejects (system role in messages, no
 * max_tokens, empty text blocks). Knobs as in startFakeOpenAI, also per request through the model
 * name (`claude-tools`, `claude-status-529`, `claude-chunks-3-delay-20`); `usage` cannot be turned
 * off (Anthropic always reports it).
 */
export async function startFakeAnthropic(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, json, req, res } = ctx;
    if (req.method !== 'POST' || record.path !== '/v1/messages') return json(404, anthropicError(404, `fake Anthropic: no route for ${req.method} ${record.path}`));
    const key = req.headers['x-api-key'];
    const keyOk = opts.apiKey === undefined ? typeof key === 'string' && key !== '' : key === opts.apiKey;
    if (!keyOk) return json(401, anthropicError(401, 'invalid x-api-key'));
    if (!req.headers['anthropic-version']) return json(400, anthropicError(400, 'anthropic-version: header is required'));
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    const model = typeof body.model === 'string' ? body.model : '';
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return json(k.status, anthropicError(k.status, k.errorMessage));
    const invalid = invalidRequest(body);
    if (invalid) return json(400, anthropicError(400, invalid));

    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    if (k.longLineBytes && pieces.length > 0) pieces[0] = 'x'.repeat(k.longLineBytes);
    const output = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const id = 'msg_fake';
    const stopReason = k.toolCalls ? 'tool_use' : 'end_turn';

    if (body.stream !== true) {
      const content = k.toolCalls
        ? [{ type: 'text', text: 'Let me check.' }, ...TOOL_USES.map((t) => ({ type: 'tool_use', id: t.id, name: t.name, input: JSON.parse(t.args.join('')) as unknown }))]
        : [{ type: 'text', text: pieces.join('') }];
      return json(200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: k.promptTokens, output_tokens: output } });
    }

    const events: { text: string; content: boolean }[] = [
      { text: sse('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: k.promptTokens, output_tokens: 1 } } }), content: false },
      { text: sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), content: false },
      { text: sse('ping', {}), content: false },
    ];
    const texts = k.toolCalls ? ['Let me check.'] : pieces;
    for (const t of texts) events.push({ text: sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } }), content: true });
    events.push({ text: sse('content_block_stop', { index: 0 }), content: false });
    if (k.toolCalls) {
      TOOL_USES.forEach((t, i) => {
        const index = i + 1;
        events.push({ text: sse('content_block_start', { index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } }), content: false });
        for (const a of ['', ...t.args]) events.push({ text: sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: a } }), content: true });
        events.push({ text: sse('content_block_stop', { index }), content: false });
      });
    }
    events.push({ text: sse('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: output } }), content: false });
    events.push({ text: sse('message_stop', {}), content: false });
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
