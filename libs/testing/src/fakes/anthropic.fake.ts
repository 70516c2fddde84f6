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

/** Top-level fields of POST /v1/messages (https://docs.anthropic.com/en/api/messages); others are refused. */
const MESSAGES_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
  'cache_control',
  'output_config',
  'inference_geo',
  'speed',
  'diagnostics',
]);
/** Top-level fields of POST /v1/messages/count_tokens. */
const COUNT_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management', 'cache_control', 'output_config']);
const BLOCK_TYPES = new Set(['text', 'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

type Block = { type?: unknown; text?: unknown; source?: { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown }; id?: unknown; tool_use_id?: unknown };

function invalidBlock(b: Block, at: string): string | undefined {
  if (typeof b !== 'object' || b === null || !BLOCK_TYPES.has(b.type as string)) return `${at}.type: Input tag '${String(b?.type)}' found using 'type' does not match any of the expected tags`;
  if (b.type === 'text' && (typeof b.text !== 'string' || b.text === '')) return `${at}: text content blocks must be non-empty`;
  if (b.type === 'image' || b.type === 'document') {
    const src = b.source ?? {};
    if (src.type === 'base64') {
      if (typeof src.data !== 'string' || src.data === '') return `${at}.source.data: Field required`;
      if (b.type === 'image' && !IMAGE_TYPES.has(src.media_type as string)) return `${at}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    } else if (src.type === 'url') {
      if (typeof src.url !== 'string' || !/^https?:\/\//.test(src.url)) return `${at}.source.url: Input should be a valid URL`;
    } else if (!(b.type === 'document' && (src.type === 'text' || src.type === 'content'))) return `${at}.source.type: unknown source type`;
  }
  return undefined;
}

/** What a real Messages API would refuse, so conversion mistakes fail loudly in tests. */
function invalidRequest(body: Record<string, unknown>, count = false): string | undefined {
  for (const key of Object.keys(body)) if (!(count ? COUNT_FIELDS : MESSAGES_FIELDS).has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!count && typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  const messages = body.messages as { role?: unknown; content?: unknown }[];
  let pendingToolUses: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && messages[i - 1].role === m.role) return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    const blocks = (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content) as Block[];
    if (!Array.isArray(blocks) || blocks.length === 0) return `messages.${i}.content: at least one block is required`;
    for (const [j, b] of blocks.entries()) {
      const bad = invalidBlock(b, `messages.${i}.content.${j}`);
      if (bad) return bad;
    }
    // Every tool_use must be answered by a tool_result in the very next (user) message.
    if (pendingToolUses.length) {
      const answered = new Set(blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id));
      const missing = pendingToolUses.filter((id) => !answered.has(id));
      if (missing.length) return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`;
    }
    pendingToolUses = m.role === 'assistant' ? blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : [];
  }
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) return 'system: Input should be a valid string or list';
    for (const [j, b] of (body.system as Block[]).entries()) if (b?.type !== 'text' || typeof b.text !== 'string') return `system.${j}: only text blocks are allowed`;
  }
  const thinking = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (thinking !== undefined && thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (!count && budget >= (body.max_tokens as number)) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  }
  return undefined;
}

/** Prompt-cache usage from the model name (`claude-cacheread-40-cachewrite-8`), as Anthropic reports it apart from input_tokens. */
function cacheUsage(model: string): { cache_creation_input_tokens: number; cache_read_input_tokens: number } {
  const n = (name: string) => Number(new RegExp(`(?:^|-)${name}-(\\d+)`).exec(model)?.[1] ?? 0);
  return { cache_creation_input_tokens: n('cachewrite'), cache_read_input_tokens: n('cacheread') };
}

const THINKING = 'Let me think this through.';

function sse(event: string, data: Record<string, unknown>): string {
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
}

/**
 * A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` (JSON and SSE streams with
 * message_start … message_stop) and `POST /v1/messages/count_tokens` (`{input_tokens}` = the
 * promptTokens knob), checking `x-api-key` (401 authentication_error) and `anthropic-version`
 * (400), and rejecting what Anthropic rejects (unknown top-level fields, roles that do not
 * alternate, unknown block types, a tool_use without its tool_result next, no max_tokens, empty
 * text blocks, a thinking budget below 1024 or not below max_tokens). With `thinking` enabled the
 * reply starts with a thinking block (thinking_delta and signature_delta in streams). Knobs as in
 * startFakeOpenAI, also per request through the model name (`claude-tools`, `claude-status-529`,
 * `claude-chunks-3-delay-20`, `claude-cacheread-40-cachewrite-8` for prompt-cache usage);
 * `usage` cannot be turned off (Anthropic always reports it).
 */
export async function startFakeAnthropic(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, json, req, res } = ctx;
    const counting = record.path === '/v1/messages/count_tokens';
    if (req.method !== 'POST' || (record.path !== '/v1/messages' && !counting)) return json(404, anthropicError(404, `fake Anthropic: no route for ${req.method} ${record.path}`));
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
    const invalid = invalidRequest(body, counting);
    if (invalid) return json(400, anthropicError(400, invalid));
    if (counting) return json(200, { input_tokens: k.promptTokens });
    const cache = cacheUsage(model);
    const thinking = (body.thinking as { type?: unknown } | undefined)?.type === 'enabled';

    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    if (k.longLineBytes && pieces.length > 0) pieces[0] = 'x'.repeat(k.longLineBytes);
    const output = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const id = 'msg_fake';
    const stopReason = k.toolCalls ? 'tool_use' : 'end_turn';

    if (body.stream !== true) {
      const content = k.toolCalls
        ? [{ type: 'text', text: 'Let me check.' }, ...TOOL_USES.map((t) => ({ type: 'tool_use', id: t.id, name: t.name, input: JSON.parse(t.args.join('')) as unknown }))]
        : [{ type: 'text', text: pieces.join('') }];
      if (thinking) content.unshift({ type: 'thinking', thinking: THINKING, signature: 'sig_fake' } as never);
      return json(200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: k.promptTokens, ...cache, output_tokens: output } });
    }

    const events: { text: string; content: boolean }[] = [
      { text: sse('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: k.promptTokens, ...cache, output_tokens: 1 } } }), content: false },
    ];
    const first = thinking ? 1 : 0;
    if (thinking) {
      events.push({ text: sse('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }), content: false });
      events.push({ text: sse('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: THINKING } }), content: true });
      events.push({ text: sse('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'sig_fake' } }), content: false });
      events.push({ text: sse('content_block_stop', { index: 0 }), content: false });
    }
    events.push({ text: sse('content_block_start', { index: first, content_block: { type: 'text', text: '' } }), content: false });
    events.push({ text: sse('ping', {}), content: false });
    const texts = k.toolCalls ? ['Let me check.'] : pieces;
    for (const t of texts) events.push({ text: sse('content_block_delta', { index: first, delta: { type: 'text_delta', text: t } }), content: true });
    events.push({ text: sse('content_block_stop', { index: first }), content: false });
    if (k.toolCalls) {
      TOOL_USES.forEach((t, i) => {
        const index = first + i + 1;
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
