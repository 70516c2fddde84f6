import { startFakeAzure } from './fake-azure';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';

const KEY = 'sk-fake-key';

async function post(url: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${KEY}` }): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Reads an SSE body into its `data:` payloads; `error` is set when the connection broke. */
async function readSse(res: Response): Promise<{ data: string[]; raw: string; error?: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let raw = '';
  let error: unknown;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      raw += decoder.decode(value, { stream: true });
    }
  } catch (e) {
    error = e;
  }
  const data = raw
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice('data: '.length));
  return { data, raw, error };
}

describe('fake OpenAI upstream', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.resetKnobs());

  it('answers chat JSON with usage and records the request', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'gpt-4o-mini-prompt-7-completion-9', messages: [{ role: 'user', content: 'hi' }], extra_field: 1 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: unknown; choices: { message: { content: string } }[] };
    expect(body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 9, total_tokens: 16 });
    expect(body.choices[0].message.content).toBe('tok0 tok1 tok2 tok3 tok4 ');
    const rec = fake.requests[fake.requests.length - 1];
    expect(rec).toEqual(expect.objectContaining({ method: 'POST', path: '/v1/chat/completions' }));
    expect(rec.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(rec.body).toEqual(expect.objectContaining({ extra_field: 1 }));
  });

  it('frames a stream as role, content, finish chunks then [DONE], with no usage chunk unless asked', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-3', stream: true, messages: [] });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data, raw } = await readSse(res);
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(data).toHaveLength(1 + 3 + 1 + 1);
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown });
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 4).map((c) => c.choices[0].delta.content)).toEqual(['tok0 ', 'tok1 ', 'tok2 ']);
    expect(chunks[4].choices[0].finish_reason).toBe('stop');
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
  });

  it('sends the usage-only chunk (choices: []) only with stream_options.include_usage', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-2', stream: true, stream_options: { include_usage: true } });
    const { data } = await readSse(res);
    const usageChunk = JSON.parse(data[data.length - 2]) as { choices: unknown[]; usage: unknown };
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
    expect(JSON.parse(data[1]).usage).toBeNull();

    const none = await readSse(await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-2-nousage', stream: true, stream_options: { include_usage: true } }));
    expect(none.data.some((d) => d.includes('"choices":[]'))).toBe(false);
  });

  it('streams tool_calls deltas that keep their index', async () => {
    const { data } = await readSse(await post(`${fake.url}/chat/completions`, { model: 'm-tools', stream: true }));
    const calls = data
      .slice(0, -1)
      .flatMap((d) => (JSON.parse(d) as { choices: { delta: { tool_calls?: { index: number; function: { arguments: string } }[] } }[] }).choices[0].delta.tool_calls ?? []);
    const args = [0, 1].map((i) => calls.filter((c) => c.index === i).map((c) => c.function.arguments).join(''));
    expect(args).toEqual(['{"city":"Paris"}', '{"tz":"UTC"}']);
    expect(JSON.parse(data[data.length - 2]).choices[0].finish_reason).toBe('tool_calls');
  });

  it('resets the connection after N content chunks', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-10-reset-2', stream: true });
    const { data, error } = await readSse(res);
    expect(error).toBeDefined();
    expect(data.map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0].delta.content)).toEqual(['', 'tok0 ', 'tok1 ']);
    const rec = fake.requests[fake.requests.length - 1];
    await fake.waitFor(() => rec.closedAt !== undefined);
    expect(rec.completed).toBe(false);
  });

  it('sends one SSE line longer than 64 KB', async () => {
    const { data } = await readSse(await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-1-longline-70000', stream: true }));
    expect(JSON.parse(data[1]).choices[0].delta.content).toHaveLength(70000);
  });

  it('records when the client goes away mid-stream', async () => {
    const ac = new AbortController();
    const closes: number[] = [];
    fake.onClose((r) => r.path === '/v1/chat/completions' && r.completed === false && closes.push(r.closedAt ?? 0));
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'm-chunks-100-delay-20', stream: true }),
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const abortedAt = Date.now();
    ac.abort();
    await fake.waitFor(() => closes.length === 1);
    expect(closes[0]).toBeGreaterThanOrEqual(abortedAt - 5);
  });

  it('forces an OpenAI-style error status, for the first N requests only', async () => {
    fake.setKnobs({ status: 429, statusTimes: 1 });
    const first = await post(`${fake.url}/v1/chat/completions`, { model: 'm' });
    expect(first.status).toBe(429);
    expect(await first.json()).toEqual({ error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    expect((await post(`${fake.url}/v1/chat/completions`, { model: 'm' })).status).toBe(200);
    fake.resetKnobs();
    expect((await post(`${fake.url}/v1/chat/completions`, { model: 'm-status-500' })).status).toBe(500);
  });

  it('rejects a wrong key with 401 and counts requests', async () => {
    const before = fake.count('/chat/completions');
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm' }, { Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    expect(fake.count('/chat/completions')).toBe(before + 1);
  });

  it('answers completions (JSON and stream) and edits', async () => {
    const c = (await (await post(`${fake.url}/v1/completions`, { model: 'm-chunks-2', prompt: 'x' })).json()) as { choices: { text: string }[] };
    expect(c.choices[0].text).toBe('tok0 tok1 ');
    const s = await readSse(await post(`${fake.url}/v1/completions`, { model: 'm-chunks-2', prompt: 'x', stream: true, stream_options: { include_usage: true } }));
    expect(s.data).toHaveLength(2 + 1 + 1 + 1);
    const e = (await (await post(`${fake.url}/v1/edits`, { model: 'm-chunks-1', input: 'a', instruction: 'b' })).json()) as { object: string };
    expect(e.object).toBe('edit');
  });

  it('answers embeddings for every input shape, and base64', async () => {
    const count = async (input: unknown) => ((await (await post(`${fake.url}/v1/embeddings`, { model: 'e', input })).json()) as { data: unknown[] }).data.length;
    expect(await count('one')).toBe(1);
    expect(await count(['a', 'b', 'c'])).toBe(3);
    expect(await count([1, 2, 3])).toBe(1);
    expect(await count([[1, 2], [3]])).toBe(2);
    const b64 = (await (await post(`${fake.url}/v1/embeddings`, { model: 'e', input: 'x', encoding_format: 'base64', dimensions: 4 })).json()) as { data: { embedding: string }[] };
    expect(Buffer.from(b64.data[0].embedding, 'base64')).toHaveLength(16);
  });

  it('answers moderations, images, models', async () => {
    const mod = (await (await post(`${fake.url}/v1/moderations`, { input: ['a', 'b'] })).json()) as { results: unknown[] };
    expect(mod.results).toHaveLength(2);
    const img = (await (await post(`${fake.url}/v1/images/generations`, { prompt: 'p', n: 2, response_format: 'b64_json' })).json()) as { data: { b64_json: string }[] };
    expect(img.data).toHaveLength(2);
    const models = (await (await fetch(`${fake.url}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  it('returns speech bytes and transcribes multipart uploads', async () => {
    const speech = await post(`${fake.url}/v1/audio/speech`, { model: 'tts-1', input: 'hello', voice: 'alloy' });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await speech.arrayBuffer())).toEqual(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(5, 0xaa)]));

    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob([Buffer.alloc(1234, 1)]), 'a.mp3');
    const tr = await fetch(`${fake.url}/v1/audio/transcriptions`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form });
    expect(await tr.json()).toEqual({ text: 'fake transcription of 1234 bytes' });
    const rec = fake.requests[fake.requests.length - 1];
    expect(rec.body).toEqual({ model: 'whisper-1' });
    expect(rec.parts?.find((p) => p.name === 'file')?.filename).toBe('a.mp3');

    const tl = new FormData();
    tl.append('model', 'whisper-1');
    tl.append('response_format', 'text');
    tl.append('file', new Blob([Buffer.alloc(10)]), 'b.mp3');
    expect(await (await fetch(`${fake.url}/audio/translations`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: tl })).text()).toBe('fake translation of 10 bytes');
  });

  it('validates multipart image edits and variations as OpenAI does, and reports gpt-image usage', async () => {
    const upload = (path: string, fields: Record<string, string>, images: string[] = ['image']) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const name of images) form.append(name, new Blob([new Uint8Array(Buffer.alloc(8, 1))], { type: 'image/png' }), 'a.png');
      return fetch(`${fake.url}/v1/images/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form });
    };
    expect((await upload('edits', { model: 'dall-e-2', prompt: 'x' }, [])).status).toBe(400);
    expect((await upload('edits', { model: 'dall-e-2' })).status).toBe(400);
    expect((await upload('variations', { model: 'gpt-image-1' })).status).toBe(400);
    expect((await upload('variations', { model: 'dall-e-2', n: '11' })).status).toBe(400);
    const dalle = await upload('edits', { model: 'dall-e-2', prompt: 'x', n: '2' });
    expect(((await dalle.json()) as { data: unknown[]; usage?: unknown }).data).toHaveLength(2);
    const gpt = (await (await upload('edits', { model: 'gpt-image-1', prompt: 'x' }, ['image[]', 'image[]'])).json()) as { usage: { input_tokens: number; output_tokens: number; total_tokens: number } };
    expect(gpt.usage).toMatchObject({ input_tokens: 10 + 200, output_tokens: 1000, total_tokens: 1210 });
    expect((await upload('variations', { model: 'dall-e-2' })).status).toBe(200);
  });

  it('pads content pieces (pad-N) and records the time of every stream write', async () => {
    const { data } = await readSse(await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-3-pad-1000', stream: true }));
    const contents = data.slice(1, 4).map((d) => (JSON.parse(d) as { choices: { delta: { content: string } }[] }).choices[0].delta.content);
    expect(contents).toEqual(['tok0 '.padEnd(1000, '.'), 'tok1 '.padEnd(1000, '.'), 'tok2 '.padEnd(1000, '.')]);
    const rec = fake.requests[fake.requests.length - 1];
    // role + 3 content + finish + [DONE]
    expect(rec.writeTimes).toHaveLength(6);
    expect([...(rec.writeTimes ?? [])].sort((a, b) => a - b)).toEqual(rec.writeTimes);
  });

  it('mixes malformed events in after every content chunk (malformed)', async () => {
    const { data } = await readSse(await post(`${fake.url}/v1/chat/completions`, { model: 'm-chunks-3-malformed', stream: true }));
    expect(data.filter((d) => d === '{"choices": [' || d === 'not json')).toEqual(['{"choices": [', 'not json', '{"choices": [']);
    const good = data.filter((d) => d !== '{"choices": [' && d !== 'not json');
    expect(good).toHaveLength(1 + 3 + 1 + 1);
    expect(good.at(-1)).toBe('[DONE]');
  });

  it('stalls after N content chunks with the connection held open (stall-N)', async () => {
    const ac = new AbortController();
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'm-chunks-10-stall-2', stream: true }),
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('tok1 ')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('tok1 ');
    const rec = fake.requests[fake.requests.length - 1];
    // Nothing more comes, and the fake keeps the connection until the client leaves.
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('silent'), 300))]);
    expect(next).toBe('silent');
    expect(text).not.toContain('tok2 ');
    expect(rec.closedAt).toBeUndefined();
    ac.abort();
    await fake.waitFor(() => rec.closedAt !== undefined);
    expect(rec.completed).toBe(false);
  });

  it('writes one data: line of N bytes with no newline, then ends (noeol-N)', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm-noeol-300000', stream: true });
    const { raw } = await readSse(res);
    const first = raw.indexOf('\n\n');
    const line = raw.slice(first + 2);
    expect(line.startsWith('data: {')).toBe(true);
    expect(Buffer.byteLength(line)).toBe(300000);
    expect(line).not.toContain('\n');
  });

  it('adds Retry-After to a forced error status (retryafter-N)', async () => {
    const res = await post(`${fake.url}/v1/chat/completions`, { model: 'm-status-429-retryafter-7' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await post(`${fake.url}/v1/chat/completions`, { model: 'm-status-429' })).headers.get('retry-after')).toBeNull();
  });

  it('streams speech in `chunks` pieces `delay` ms apart, raw or as speech.audio.* SSE events', async () => {
    const mp3 = await post(`${fake.url}/v1/audio/speech`, { model: 'tts-chunks-4-delay-50', input: 'x'.repeat(97), voice: 'alloy' });
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect(mp3.headers.get('content-length')).toBeNull();
    expect(Buffer.from(await mp3.arrayBuffer())).toEqual(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(97, 0xaa)]));
    const writes = fake.requests[fake.requests.length - 1].writeTimes ?? [];
    expect(writes).toHaveLength(4);
    expect(writes[3] - writes[0]).toBeGreaterThanOrEqual(3 * 45);

    const sse = await post(`${fake.url}/v1/audio/speech`, { model: 'tts-chunks-3', input: 'hello', voice: 'alloy', stream_format: 'sse' });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await readSse(sse)).data.map((d) => JSON.parse(d) as { type: string; audio?: string; usage?: Record<string, number> });
    expect(events.map((e) => e.type)).toEqual(['speech.audio.delta', 'speech.audio.delta', 'speech.audio.delta', 'speech.audio.done']);
    expect(Buffer.concat(events.map((e) => Buffer.from(e.audio ?? '', 'base64')))).toEqual(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(5, 0xaa)]));
    expect(events[3].usage).toEqual({ input_tokens: 10, output_tokens: 3, total_tokens: 13 });
  });

  it('waits latency before headers', async () => {
    const t0 = Date.now();
    await post(`${fake.url}/v1/chat/completions`, { model: 'm-latency-150' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('fake Azure upstream', () => {
  let azure: FakeUpstream;
  beforeAll(async () => {
    azure = await startFakeAzure();
  });
  afterAll(() => azure.close());

  it('serves /openai/deployments/:deployment/<task> and records api-version', async () => {
    const res = await post(`${azure.url}/openai/deployments/gpt-35-turbo/chat/completions?api-version=2024-03-01-preview`, { messages: [] }, { 'api-key': 'k' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe('gpt-35-turbo');
    expect(azure.requests[0].query['api-version']).toBe('2024-03-01-preview');
  });

  it('refuses stream_options before api-version 2024-09-01, as Azure does', async () => {
    const body = { messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } };
    const old = await post(`${azure.url}/openai/deployments/d/chat/completions?api-version=2024-03-01-preview`, body, { 'api-key': 'k' });
    expect(old.status).toBe(400);
    expect(((await old.json()) as { error: { message: string } }).error.message).toContain('Unrecognized request argument supplied: stream_options');
    for (const version of ['2024-09-01-preview', '2024-10-21']) {
      const res = await post(`${azure.url}/openai/deployments/d/chat/completions?api-version=${version}`, body, { 'api-key': 'k' });
      expect(res.status).toBe(200);
      const { data } = await readSse(res);
      expect(data.at(-1)).toBe('[DONE]');
      expect(data.some((d) => d.includes('"usage":{'))).toBe(true);
    }
  });

  it('answers 401 without api-key or api-version', async () => {
    expect((await post(`${azure.url}/openai/deployments/d/chat/completions?api-version=1`, {}, { Authorization: 'Bearer k' })).status).toBe(401);
    expect((await post(`${azure.url}/openai/deployments/d/embeddings`, { input: 'x' }, { 'api-key': 'k' })).status).toBe(401);
  });
});
