import OpenAI from 'openai';
import { ChannelType } from '@oneapi/domain';
import { startFakeAnthropic, startFakeGemini, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/**
 * Conversions to Anthropic and Gemini through the relay, against fakes that refuse what the real
 * APIs refuse: what the target can express arrives converted; what it cannot is a 400 naming
 * the parameter, and nothing is sent upstream.
 */
describe('POST /v1/chat/completions on Anthropic and Gemini channels: nothing dropped silently', () => {
  let h: RelayHarness;
  let anthropic: FakeUpstream;
  let gemini: FakeUpstream;
  let client: OpenAI;
  const user: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

  beforeAll(async () => {
    [anthropic, gemini] = await Promise.all([startFakeAnthropic(), startFakeGemini()]);
    h = await startRelayHarness('sqlite');
    const userId = await h.createUser({ quota: 10_000_000 });
    const key = await h.createToken({ userId, unlimitedQuota: true });
    await h.createChannel({ type: ChannelType.Anthropic, key: 'k', baseUrl: anthropic.url, models: ['claude-sonnet-4-20250514'] });
    await h.createChannel({ type: ChannelType.Gemini, key: 'k', baseUrl: gemini.url, models: ['gemini-2.5-flash'] });
    await h.refresh();
    await h.setOption('RetryTimes', '0');
    client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([anthropic?.close(), gemini?.close()]);
  });

  const refused = async (body: OpenAI.ChatCompletionCreateParamsNonStreaming, fake: FakeUpstream) => {
    const n = fake.requests.length;
    const error = await client.chat.completions.create(body).catch((e: unknown) => e);
    expect(fake.requests.length).toBe(n);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    return error as InstanceType<typeof OpenAI.BadRequestError>;
  };

  it('Gemini: tool schemas with const, nullable types, $ref and additionalProperties reach Gemini in its subset', async () => {
    const parameters = {
      type: 'object',
      properties: { unit: { const: 'celsius' }, city: { type: ['string', 'null'] }, where: { $ref: '#/$defs/Place' } },
      $defs: { Place: { type: 'object', properties: { lat: { type: 'number' } }, additionalProperties: false } },
      additionalProperties: false,
    };
    const r = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: user, tools: [{ type: 'function', function: { name: 'weather', parameters, strict: true } }] });
    expect(r.choices[0].message).toBeDefined();
    const sent = gemini.requests.at(-1)?.body as { tools: { functionDeclarations: { parameters: unknown }[] }[] };
    expect(sent.tools[0].functionDeclarations[0].parameters).toEqual({
      type: 'object',
      properties: { unit: { type: 'string', enum: ['celsius'] }, city: { type: 'string', nullable: true }, where: { type: 'object', properties: { lat: { type: 'number' } } } },
    });
  });

  it('Gemini: a json_schema response format becomes responseSchema; reasoning_effort a thinking budget', async () => {
    await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: user,
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false } } },
    });
    expect((gemini.requests.at(-1)?.body as { generationConfig: unknown }).generationConfig).toMatchObject({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      thinkingConfig: { thinkingBudget: 1024 },
    });
  });

  it('Gemini: a schema keyword it cannot express → 400 naming it, nothing sent', async () => {
    const e = await refused({ model: 'gemini-2.5-flash', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { x: { not: { type: 'string' } } } } } }] }, gemini);
    expect(e.param).toBe('tools[0].function.parameters.properties.x.not');
  });

  it('Anthropic: reasoning_effort → thinking within max_tokens (the fake refuses a budget not below it)', async () => {
    const r = await client.chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: user, reasoning_effort: 'medium', max_tokens: 500 });
    expect(r.choices[0].message.content).toBeTruthy();
    expect(anthropic.requests.at(-1)?.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 4096 }, max_tokens: 4596 });
  });

  it('Anthropic: response_format json_schema → a forced tool carrying the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await client.chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } });
    expect(anthropic.requests.at(-1)?.body).toMatchObject({ tools: [{ name: 'json_response', input_schema: schema }], tool_choice: { type: 'tool', name: 'json_response' } });
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ reasoning_effort: 'high', temperature: 0.3 }, 'temperature'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }] }, 'messages[0].content[0]'],
  ])('Anthropic: %j → 400 naming %s, nothing sent', async (extra, param) => {
    const e = await refused({ model: 'claude-sonnet-4-20250514', messages: user, ...(extra as object) } as OpenAI.ChatCompletionCreateParamsNonStreaming, anthropic);
    expect(e.param).toBe(param);
    expect(e.message).toContain(param);
  });
});
