import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

/** Fields of a v2 chat request (https://docs.cohere.com/reference/chat); anything else is a 400. */
const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'tools',
  'strict_tools',
  'documents',
  'citation_options',
  'response_format',
  'safety_mode',
  'max_tokens',
  'stop_sequences',
  'temperature',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'k',
  'p',
  'logprobs',
  'tool_choice',
  'thinking',
]);

/** Tokens the model sees beyond what Cohere bills (its prompt template): `tokens` differs from `billed_units`. */
export const COHERE_TEMPLATE_TOKENS = 7;

const CALLS = [
  { id: 'get_weather_fake0', name: 'get_weather', args: ['{"city":', ' "Paris"}'] },
  { id: 'get_time_fake1', name: 'get_time', args: ['{"tz": "UTC"}'] },
];

function invalid(body: Record<string, unknown>): string | undefined {
  for (const k of Object.keys(body)) if (!CHAT_FIELDS.has(k)) return `invalid request: unknown field "${k}"`;
  if (typeof body.model !== 'string' || body.model === '') return 'invalid request: model must be specified';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'invalid request: messages must not be empty';
  for (const m of body.messages as { role?: unknown; tool_call_id?: unknown; tool_calls?: unknown; content?: unknown }[]) {
    if (!['system', 'user', 'assistant', 'tool'].includes(String(m.role))) return `invalid request: role must be one of system, user, assistant, tool`;
    if (m.role === 'tool' && (typeof m.tool_call_id !== 'string' || m.tool_call_id === '')) return 'invalid request: tool message must have a tool_call_id';
    if (m.role === 'assistant' && m.content === undefined && m.tool_calls === undefined) return 'invalid request: assistant message must have content or tool_calls';
  }
  if (body.tools !== undefined) {
    for (const t of body.tools as { type?: unknown; function?: { name?: unknown } }[]) {
      if (t.type !== 'function' || typeof t.function?.name !== 'string') return 'invalid request: tools must be of type function with a name';
    }
  }
  if (body.tool_choice !== undefined && body.tool_choice !== 'REQUIRED' && body.tool_choice !== 'NONE') return 'invalid request: tool_choice must be REQUIRED or NONE';
  return undefined;
}

function sse(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * A fake Cohere Chat API v2 on 127.0.0.1: `POST /v2/chat` (JSON, or SSE events message-start …
 * message-end with `stream: true`), Bearer auth (401 `invalid api token`), unknown fields and bad
 * messages refused with 400 as Cohere does. Usage reports `billed_units` (the knobs' counts) and
 * `tokens` (with the prompt template, `COHERE_TEMPLATE_TOKENS` more input). Knobs through the
 * model name as in the other fakes (`command-tools`, `command-status-429`, `command-chunks-3`).
 */
export async function startFakeCohere(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, json, req, res } = ctx;
    if (req.method !== 'POST' || record.path !== '/v2/chat') return json(404, { message: `fake Cohere: no route for ${req.method} ${record.path}` });
    const auth = req.headers.authorization ?? '';
    const keyOk = opts.apiKey === undefined ? auth.startsWith('Bearer ') && auth.length > 7 : auth === `Bearer ${opts.apiKey}`;
    if (!keyOk) return json(401, { id: 'err-401', message: 'invalid api token' });
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    const model = typeof body.model === 'string' ? body.model : '';
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return json(k.status, { id: `err-${k.status}`, message: k.errorMessage ?? `fake Cohere: status ${k.status}` });
    const bad = invalid(body);
    if (bad) return json(400, { id: 'err-400', message: bad });

    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const output = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const usage = {
      billed_units: { input_tokens: k.promptTokens, output_tokens: output },
      tokens: { input_tokens: k.promptTokens + COHERE_TEMPLATE_TOKENS, output_tokens: output },
    };
    const finish = k.toolCalls ? 'TOOL_CALL' : 'COMPLETE';
    const id = 'cohere-fake-id';
    if (body.stream !== true) {
      const message = k.toolCalls
        ? { role: 'assistant', tool_plan: 'I will look these up.', tool_calls: CALLS.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args.join('') } })) }
        : { role: 'assistant', content: [{ type: 'text', text: pieces.join('') }] };
      return json(200, { id, finish_reason: finish, message, usage });
    }
    const events: { text: string; content: boolean }[] = [{ text: sse('message-start', { id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } }), content: false }];
    if (k.toolCalls) {
      events.push({ text: sse('tool-plan-delta', { delta: { message: { tool_plan: 'I will look these up.' } } }), content: false });
      CALLS.forEach((c, index) => {
        events.push({ text: sse('tool-call-start', { index, delta: { message: { tool_calls: { id: c.id, type: 'function', function: { name: c.name, arguments: '' } } } } }), content: false });
        for (const a of c.args) events.push({ text: sse('tool-call-delta', { index, delta: { message: { tool_calls: { function: { arguments: a } } } } }), content: true });
        events.push({ text: sse('tool-call-end', { index }), content: false });
      });
    } else {
      events.push({ text: sse('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }), content: false });
      for (const t of pieces) events.push({ text: sse('content-delta', { index: 0, delta: { message: { content: { text: t } } } }), content: true });
      events.push({ text: sse('content-end', { index: 0 }), content: false });
    }
    events.push({ text: sse('message-end', { delta: { finish_reason: finish, usage } }), content: false });
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
