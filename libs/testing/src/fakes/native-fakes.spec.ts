import { startFakeAnthropic } from './anthropic.fake';
import type { FakeUpstream } from './fake-openai';
import { startFakeGemini } from './gemini.fake';

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('fake Anthropic', () => {
  let fake: FakeUpstream;
  const H = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: 'k' });
  });
  afterAll(() => fake.close());

  it('rejects what the Messages API rejects', async () => {
    const cases: [unknown, Record<string, string>, number, string][] = [
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'bad', 'anthropic-version': '2023-06-01' }, 401, 'authentication_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'k' }, 400, 'invalid_request_error'],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, H, 400, 'invalid_request_error'],
      // Unknown top-level fields, roles that do not alternate, unknown block types, bad image sources.
      [{ model: 'm', max_tokens: 5, stream_options: {}, messages: [{ role: 'user', content: 'x' }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }, { role: 'user', content: 'y' }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA' } }] }] }, H, 400, 'invalid_request_error'],
      // A tool_use must be answered by a tool_result in the next message.
      [
        {
          model: 'm',
          max_tokens: 5,
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
            { role: 'user', content: 'no result' },
          ],
        },
        H,
        400,
        'invalid_request_error',
      ],
      // A thinking budget below 1024 or not below max_tokens.
      [{ model: 'm', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 500 }, messages: [{ role: 'user', content: 'x' }] }, H, 400, 'invalid_request_error'],
      [{ model: 'm', max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'x' }] }, H, 400, 'invalid_request_error'],
    ];
    for (const [body, headers, status, type] of cases) {
      const res = await post(`${fake.url}/v1/messages`, body, headers);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { type: string; error: { type: string } }).error.type).toBe(type);
    }
  });

  it('streams message_start … message_stop as named SSE events', async () => {
    const res = await post(`${fake.url}/v1/messages`, { model: 'claude-chunks-2', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, H);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });
});

describe('fake Anthropic: count_tokens, thinking and prompt-cache usage', () => {
  let fake: FakeUpstream;
  const H = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: 'k' });
  });
  afterAll(() => fake.close());

  it('counts tokens (the promptTokens knob) and checks the body like the API (no max_tokens there)', async () => {
    const ok = await post(`${fake.url}/v1/messages/count_tokens`, { model: 'claude-prompt-42', messages: [{ role: 'user', content: 'x' }] }, H);
    expect(await ok.json()).toEqual({ input_tokens: 42 });
    const bad = await post(`${fake.url}/v1/messages/count_tokens`, { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, H);
    expect(bad.status).toBe(400);
  });

  it('answers a thinking block first and reports cache reads and writes apart from input_tokens', async () => {
    const res = await post(`${fake.url}/v1/messages`, { model: 'claude-cacheread-30-cachewrite-6', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'x' }] }, H);
    const msg = (await res.json()) as { content: { type: string }[]; usage: Record<string, number> };
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(msg.usage).toEqual({ input_tokens: 10, cache_creation_input_tokens: 6, cache_read_input_tokens: 30, output_tokens: 5 });
    const stream = await post(`${fake.url}/v1/messages`, { model: 'claude-chunks-1', max_tokens: 2048, stream: true, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'x' }] }, H);
    const deltas = [...(await stream.text()).matchAll(/"delta":\{"type":"(\w+)"/g)].map((m) => m[1]);
    expect(deltas).toEqual(['thinking_delta', 'signature_delta', 'text_delta']);
  });
});

describe('fake Gemini', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'g' });
  });
  afterAll(() => fake.close());

  it('checks the key like Google (403 missing, 400 wrong) and rejects OpenAI-shaped or mis-roled bodies', async () => {
    const url = `${fake.url}/v1beta/models/gemini-x:generateContent`;
    const ok = { contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
    expect((await post(url, ok, {})).status).toBe(403);
    expect((await post(url, ok, { 'x-goog-api-key': 'nope' })).status).toBe(400);
    expect((await post(`${url}?key=g`, ok, {})).status).toBe(200);
    for (const body of [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, { contents: [{ role: 'user', parts: [] }] }, { model: 'x', messages: [] }]) {
      const res = await post(url, body, { 'x-goog-api-key': 'g' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    }
  });

  it('streams data-only SSE events whose last one has finishReason and usageMetadata', async () => {
    const res = await post(`${fake.url}/v1beta/models/gemini-chunks-2:streamGenerateContent?alt=sse`, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'g' });
    const data = (await res.text()).split('\r\n\r\n').filter((e) => e.startsWith('data: ')).map((e) => JSON.parse(e.slice(6)) as { candidates: { finishReason?: string }[]; usageMetadata?: { candidatesTokenCount?: number } });
    expect(data).toHaveLength(2);
    expect(data[0].candidates[0].finishReason).toBeUndefined();
    expect(data[1].candidates[0].finishReason).toBe('STOP');
    expect(data[1].usageMetadata?.candidatesTokenCount).toBe(2);
  });
});
