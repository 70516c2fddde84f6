import { ChannelType } from '@oneapi/domain';
import { startFakeAnthropic, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';

const KEY = 'sk-ant-integration';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

type Chunk = { choices: { delta: { content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[]; usage?: unknown };

/** Content text and tool calls (arguments concatenated per index) rebuilt from OpenAI chunks, as a client SDK does. */
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

describe('Anthropic adapter (14) against the fake Messages API', () => {
  let fake: FakeUpstream;
  const adapter = getAdapter(ChannelType.Anthropic);
  const ch = (key = KEY): ChannelContext => ({ id: 14, type: ChannelType.Anthropic, key, baseUrl: fake.url, config: {} });

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, knobs: { promptTokens: 21 } });
  });
  afterAll(() => fake.close());
  afterEach(() => fake.resetKnobs());

  it('non-streamed chat: converted request upstream, OpenAI completion and usage back', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', {
      model: 'claude-3-5-sonnet-20240620',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
      ],
      stop: 'END',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'claude-3-5-sonnet-20240620',
      choices: [{ index: 0, message: { role: 'assistant', content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 },
    });
    expect(res.usage).toEqual({ prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 });
    const seen = fake.requestsTo('/v1/messages').at(-1);
    expect(seen?.headers['x-api-key']).toBe(KEY);
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['anthropic-beta']).toBe('max-tokens-3-5-sonnet-2024-07-15');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.body).toMatchObject({
      system: 'Be brief.',
      max_tokens: 4096,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] }],
    });
  });

  it('streamed chat: chunks with content, finish_reason and a final usage chunk', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-chunks-3', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    const chunks = res.chunks ?? [];
    expect(assemble(chunks)).toEqual({ content: 'tok0 tok1 tok2 ', calls: [], finish: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 } });
    expect(res.usage).toEqual({ prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 });
    expect(fake.requestsTo('/v1/messages').at(-1)?.body).toMatchObject({ stream: true });
  });

  it('streamed tool calls keep their index; the follow-up turn with tool results is accepted', async () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
    ];
    const first = await callAdapter(adapter, ch(), 'chat', { model: 'claude-tools', stream: true, tools, messages: [{ role: 'user', content: 'Weather and time?' }] });
    const { content, calls, finish } = assemble(first.chunks ?? []);
    expect(content).toBe('Let me check.');
    expect(finish).toBe('tool_calls');
    expect(calls).toEqual([
      { id: 'toolu_fake_0', name: 'get_weather', arguments: '{"city": "Paris"}' },
      { id: 'toolu_fake_1', name: 'get_time', arguments: '{"tz": "UTC"}' },
    ]);
    expect(fake.requestsTo('/v1/messages').at(-1)?.body).toMatchObject({ tools: [{ name: 'get_weather' }, { name: 'get_time' }] });

    const second = await callAdapter(adapter, ch(), 'chat', {
      model: 'claude-3-5-haiku-20241022',
      tools,
      messages: [
        { role: 'user', content: 'Weather and time?' },
        { role: 'assistant', content: content, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
        { role: 'tool', tool_call_id: 'toolu_fake_0', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'toolu_fake_1', content: '12:00' },
      ],
    });
    expect(second.status).toBe(200);
    const sent = fake.requestsTo('/v1/messages').at(-1)?.body as { messages: { role: string; content: { type: string }[] }[] };
    expect(sent.messages.map((m) => [m.role, m.content.map((b) => b.type)])).toEqual([
      ['user', ['text']],
      ['assistant', ['text', 'tool_use', 'tool_use']],
      ['user', ['tool_result', 'tool_result']],
    ]);
  });

  it('non-streamed tool calls come back as tool_calls', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-tools', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather' } }] });
    expect(res.body).toMatchObject({
      choices: [{ finish_reason: 'tool_calls', message: { content: 'Let me check.', tool_calls: [{ id: 'toolu_fake_0', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { id: 'toolu_fake_1' }] } }],
    });
  });

  it('upstream errors come back in OpenAI’s error shape with their status', async () => {
    const bad = await callAdapter(adapter, ch('sk-wrong'), 'chat', { model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }] });
    expect(bad).toEqual({ status: 401, body: { error: { message: 'invalid x-api-key', type: 'authentication_error', param: null, code: 'authentication_error' } } });
    const overloaded = await callAdapter(adapter, ch(), 'chat', { model: 'claude-status-529', messages: [{ role: 'user', content: 'Hi' }] });
    expect(overloaded.status).toBe(529);
    expect(overloaded.body).toMatchObject({ error: { type: 'overloaded_error' } });
  });
});
