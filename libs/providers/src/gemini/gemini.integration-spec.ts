import { ChannelType } from '@oneapi/domain';
import { startFakeGemini, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';

const KEY = 'AIza-integration';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

type Chunk = { choices: { delta: { content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[] };

function assemble(chunks: Record<string, unknown>[]) {
  let content = '';
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  let finish: string | null = null;
  for (const c of chunks as unknown as Chunk[]) {
    for (const ch of c.choices) {
      content += ch.delta.content ?? '';
      for (const t of ch.delta.tool_calls ?? []) {
        calls[t.index] ??= { arguments: '' };
        if (t.id) calls[t.index].id = t.id;
        if (t.function.name) calls[t.index].name = t.function.name;
        calls[t.index].arguments += t.function.arguments;
      }
      finish = ch.finish_reason ?? finish;
    }
  }
  return { content, calls, finish };
}

describe('Gemini adapter (24) against the fake Gemini API', () => {
  let fake: FakeUpstream;
  const adapter = getAdapter(ChannelType.Gemini);
  const ch = (key = KEY): ChannelContext => ({ id: 24, type: ChannelType.Gemini, key, baseUrl: fake.url, config: {} });

  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: KEY, knobs: { promptTokens: 13 } });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.resetKnobs());

  it('non-streamed chat: generateContent with x-goog-api-key; OpenAI completion and usage back', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', {
      model: 'gemini-2.0-flash',
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'gemini-2.0-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }],
    });
    expect(res.usage).toEqual({ prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 });
    const seen = fake.requests.at(-1);
    expect(seen?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(seen?.headers['x-goog-api-key']).toBe(KEY);
    expect(seen?.query.key).toBeUndefined();
    expect(seen?.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 50 },
      contents: [{ role: 'user', parts: [{ text: 'Describe' }, { inlineData: { mimeType: 'image/png', data: PNG } }] }],
    });
  });

  it('streamed chat: streamGenerateContent?alt=sse → chunks, finish_reason and the final usage', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'gemini-chunks-3', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1beta/models/gemini-chunks-3:streamGenerateContent', query: { alt: 'sse' } });
    const chunks = res.chunks ?? [];
    expect(assemble(chunks)).toEqual({ content: 'tok0 tok1 tok2 ', calls: [], finish: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 13, completion_tokens: 3, total_tokens: 16 } });
    expect(res.usage).toEqual({ prompt_tokens: 13, completion_tokens: 3, total_tokens: 16 });
  });

  it('streamed function calls get indexes 0 and 1; the follow-up turn with function responses is accepted', async () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ];
    const first = await callAdapter(adapter, ch(), 'chat', { model: 'gemini-tools', stream: true, tools, tool_choice: 'auto', messages: [{ role: 'user', content: 'Weather and time?' }] });
    const { content, calls, finish } = assemble(first.chunks ?? []);
    expect(content).toBe('Let me check.');
    expect(finish).toBe('tool_calls');
    expect(calls.map((c) => [c.name, c.arguments])).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_time', '{"tz":"UTC"}'],
    ]);
    expect(fake.requests.at(-1)?.body).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }] }], toolConfig: { functionCallingConfig: { mode: 'AUTO' } } });

    const second = await callAdapter(adapter, ch(), 'chat', {
      model: 'gemini-2.0-flash',
      tools,
      messages: [
        { role: 'user', content: 'Weather and time?' },
        { role: 'assistant', content: content, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
        { role: 'tool', tool_call_id: calls[0].id, content: '{"temp":21}' },
        { role: 'tool', tool_call_id: calls[1].id, content: 'noon' },
      ],
    });
    expect(second.status).toBe(200);
    const sent = fake.requests.at(-1)?.body as { contents: { role: string; parts: Record<string, unknown>[] }[] };
    expect(sent.contents.map((c) => [c.role, c.parts.map((p) => Object.keys(p)[0])])).toEqual([
      ['user', ['text']],
      ['model', ['text', 'functionCall', 'functionCall']],
      ['user', ['functionResponse', 'functionResponse']],
    ]);
    expect(sent.contents[2].parts[1]).toEqual({ functionResponse: { name: 'get_time', response: { content: 'noon' } } });
  });

  it('embeddings through batchEmbedContents', async () => {
    const res = await callAdapter(adapter, ch(), 'embeddings', { model: 'text-embedding-004', input: ['a', 'b', 'c'], dimensions: 4 });
    expect(res.status).toBe(200);
    const data = (res.body as { data: { index: number; embedding: number[] }[] }).data;
    expect(data.map((d) => [d.index, d.embedding.length])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    expect(fake.requests.at(-1)?.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
  });

  it('upstream errors come back in OpenAI’s error shape with their status', async () => {
    const bad = await callAdapter(adapter, ch('AIza-wrong'), 'chat', { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'Hi' }] });
    expect(bad).toEqual({ status: 400, body: { error: { message: 'API key not valid. Please pass a valid API key.', type: 'invalid_argument', param: null, code: '400' } } });
    const limited = await callAdapter(adapter, ch(), 'chat', { model: 'gemini-status-429', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { type: 'resource_exhausted', code: '429' } });
  });
});
