import OpenAI, { APIError } from 'openai';
import { availableDbKinds, startFakeSpark, type FakeSpark } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/**
 * iFlytek Spark v1 (18) through the relay with the `openai` SDK: the channel's WebSocket upstream
 * (the fake verifies the HMAC-signed URL) served to JSON and streaming clients, billed exactly
 * from the usage of Spark's last frame, with errors, a socket cut short and a client that leaves.
 */

const RATIO = 2;
const COMPLETION_RATIO = 3;
const cost = (prompt: number, completion: number) => Math.max(1, Math.ceil((prompt + completion * COMPLETION_RATIO) * RATIO));
const APP_ID = 'relay-spark-app';
const API_SECRET = 'relay-spark-secret-0001';
const API_KEY = 'relay-spark-apikey-0001';
const BAD_SECRET = 'refused-spark-secret-0002';
const USAGE = { prompt_tokens: 23, completion_tokens: 7 };
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

interface LogRow {
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
}

describe('Spark v1 (18) over WebSocket through the relay', () => {
  let h: RelayHarness | undefined;
  let fake: FakeSpark;
  let client: OpenAI;
  let channel = 0;
  let userId = 0;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes('sqlite')) return;
    fake = await startFakeSpark({ appId: APP_ID, apiKey: API_KEY, apiSecret: API_SECRET, promptTokens: USAGE.prompt_tokens, completionTokens: USAGE.completion_tokens });
    h = await startRelayHarness('sqlite');
    channel = await h.createChannel({ type: 18, key: `${APP_ID}|${API_SECRET}|${API_KEY}`, name: 'spark', baseUrl: fake.url, models: ['Spark-Max', 'Spark-Pro'] });
    await h.createChannel({ type: 18, key: `${APP_ID}|${BAD_SECRET}|${API_KEY}`, name: 'spark refused', baseUrl: fake.url, models: ['Spark-Lite'] });
    const ratios = Object.fromEntries(['Spark-Max', 'Spark-Pro', 'Spark-Lite'].map((m) => [m, RATIO]));
    await h.setOption('ModelRatio', JSON.stringify(ratios));
    await h.setOption('CompletionRatio', JSON.stringify(Object.fromEntries(Object.keys(ratios).map((m) => [m, COMPLETION_RATIO]))));
    await h.setOption('GroupRatio', JSON.stringify({ default: 1 }));
    await h.setOption('RetryTimes', '0');
    await h.setOption('AutomaticDisableChannelEnabled', 'false');
    userId = await h.createUser({ quota: 1_000_000 });
    const key = await h.createToken({ userId, unlimitedQuota: true, name: 'spark' });
    await h.refresh();
    client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  const logOf = async (requestId: string | null): Promise<LogRow> => {
    expect(requestId).toBeTruthy();
    if (!h) throw new Error('no relay');
    await h.flush();
    const rows = await h.sql<LogRow>('SELECT quota, prompt_tokens, completion_tokens, channel_id, is_stream FROM logs WHERE request_id = ?', [requestId]);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    return { quota: Number(r.quota), prompt_tokens: Number(r.prompt_tokens), completion_tokens: Number(r.completion_tokens), channel_id: Number(r.channel_id), is_stream: Number(r.is_stream) };
  };
  const usedQuota = async (): Promise<number> => {
    const [u] = (await h?.sql<{ used_quota: number }>('SELECT used_quota FROM users WHERE id = ?', [userId])) ?? [];
    return Number(u?.used_quota);
  };

  it('JSON: the frames assembled into one completion, billed exactly from the last frame’s usage', async () => {
    if (!h) return;
    const used = await usedQuota();
    const { data, response } = await client.chat.completions.create({ model: 'Spark-Max', messages: [{ role: 'user', content: 'hello' }], max_tokens: 50 }).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' });
    expect(data.usage).toMatchObject(USAGE);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v3.5/chat', body: { header: { app_id: APP_ID }, parameter: { chat: { domain: 'generalv3.5', max_tokens: 50 } } } });
    const log = await logOf(response.headers.get('x-oneapi-request-id'));
    expect(log).toEqual({ ...USAGE, quota: cost(USAGE.prompt_tokens, USAGE.completion_tokens), channel_id: channel, is_stream: 0 });
    expect((await usedQuota()) - used).toBe(log.quota);
    expect(await h.drift()).toEqual([]);
  });

  it('stream with include_usage: one chunk per frame, one usage chunk last, billed exactly', async () => {
    if (!h) return;
    const used = await usedQuota();
    const { data, response } = await client.chat.completions.create({ model: 'Spark-Max', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } }).withResponse();
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const ch of data) chunks.push(ch);
    expect(chunks.map((ch) => ch.choices[0]?.delta?.content ?? '').join('')).toBe('tok0 tok1 tok2 tok3 tok4 ');
    expect(chunks.filter((ch) => ch.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
    expect(chunks.filter((ch) => ch.usage)).toEqual([chunks.at(-1)]);
    expect(chunks.at(-1)?.usage).toMatchObject(USAGE);
    const log = await logOf(response.headers.get('x-oneapi-request-id'));
    expect(log).toEqual({ ...USAGE, quota: cost(USAGE.prompt_tokens, USAGE.completion_tokens), channel_id: channel, is_stream: 1 });
    expect((await usedQuota()) - used).toBe(log.quota);
    expect(await h.drift()).toEqual([]);
  });

  it('a function call: tools sent as Spark functions, its function_call frames as tool calls', async () => {
    if (!h) return;
    const { data, response } = await client.chat.completions.create({ model: 'Spark-Pro', messages: [{ role: 'user', content: 'Weather in Paris, and the time in UTC?' }], tools: TOOLS }).withResponse();
    expect(data.choices[0].finish_reason).toBe('tool_calls');
    expect(data.choices[0].message.tool_calls?.map((c) => ({ name: c.type === 'function' ? c.function.name : '', args: c.type === 'function' ? (JSON.parse(c.function.arguments) as unknown) : null }))).toEqual([
      { name: 'get_weather', args: { city: 'Paris' } },
      { name: 'get_time', args: { tz: 'UTC' } },
    ]);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v3.1/chat', body: { parameter: { chat: { domain: 'generalv3' } }, payload: { functions: { text: TOOLS.map((t) => (t.type === 'function' ? t.function : null)) } } } });
    const log = await logOf(response.headers.get('x-oneapi-request-id'));
    expect(log).toMatchObject({ ...USAGE, is_stream: 0 });
  });

  it('a key Spark refuses (the signed handshake answers 401): 502 upstream_auth_error without any part of the key', async () => {
    if (!h) return;
    const error = await client.chat.completions.create({ model: 'Spark-Lite', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 502, code: 'upstream_auth_error' });
    const message = JSON.stringify((error as APIError).error);
    for (const s of [BAD_SECRET, API_KEY, APP_ID, fake.url]) expect(message).not.toContain(s);
    expect(fake.refused.at(-1)).toBe(401);
  });

  it('the socket closed before the last frame: the stream ends with an error event, the delivered answer billed', async () => {
    if (!h) return;
    const used = await usedQuota();
    const { data, response } = await client.chat.completions.create({ model: 'Spark-Max', messages: [{ role: 'user', content: 'hello [cut]' }], stream: true }).withResponse();
    let text = '';
    const failure = await (async () => {
      for await (const ch of data) text += ch.choices[0]?.delta?.content ?? '';
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect(text).toBe('tok0 tok1 ');
    const log = await logOf(response.headers.get('x-oneapi-request-id'));
    // Spark reports usage only in its last frame: what was delivered is counted by the relay.
    expect(log.completion_tokens).toBeGreaterThan(0);
    expect(log).toMatchObject({ quota: cost(log.prompt_tokens, log.completion_tokens), channel_id: channel, is_stream: 1 });
    expect((await usedQuota()) - used).toBe(log.quota);
    expect(await h.drift()).toEqual([]);
  });

  it('a client that leaves mid-stream: the upstream socket is closed', async () => {
    if (!h) return;
    const ac = new AbortController();
    const before = fake.requests.length;
    const stream = await client.chat.completions.create({ model: 'Spark-Max', messages: [{ role: 'user', content: 'hello [slow]' }], stream: true }, { signal: ac.signal });
    const reading = (async () => {
      for await (const ch of stream) if (ch.choices[0]?.delta?.content) ac.abort();
    })().catch(() => undefined);
    await reading;
    await fake.waitFor(() => fake.requests.length > before && fake.requests[before].closedAt !== undefined);
    await h.flush();
    expect(await h.drift()).toEqual([]);
  });
});
