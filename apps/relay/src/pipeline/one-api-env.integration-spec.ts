import OpenAI from 'openai';
import { ChannelType } from '@oneapi/domain';
import { setGeminiDefaultVersion } from '@oneapi/providers';
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** One API's ENFORCE_INCLUDE_USAGE and GEMINI_VERSION, honoured by the relay. */
describe('relay with ENFORCE_INCLUDE_USAGE and GEMINI_VERSION', () => {
  let h: RelayHarness;
  let openai: FakeUpstream;
  let anthropic: FakeUpstream;
  let gemini: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
    h = await startRelayHarness('sqlite', { ENFORCE_INCLUDE_USAGE: 'true', GEMINI_VERSION: 'v1' });
    const userId = await h.createUser({ quota: 10_000_000 });
    const key = await h.createToken({ userId, unlimitedQuota: true });
    await h.createChannel({ baseUrl: openai.url, models: ['gpt-4o-mini'] });
    await h.createChannel({ type: ChannelType.Anthropic, key: 'k', baseUrl: anthropic.url, models: ['claude-3-5-haiku-20241022'] });
    const gem = await h.createChannel({ type: ChannelType.Gemini, key: 'k', baseUrl: gemini.url, models: ['gemini-2.0-flash', 'gemini-own-version'] });
    await h.refresh();
    client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
    expect(gem).toBeGreaterThan(0);
  });
  afterAll(async () => {
    setGeminiDefaultVersion(undefined);
    await h?.close();
    await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
  });

  async function lastChunkUsage(model: string): Promise<unknown> {
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let usage: unknown = null;
    for await (const c of stream) if (c.usage) usage = c.usage;
    return usage;
  }

  it.each(['gpt-4o-mini', 'claude-3-5-haiku-20241022', 'gemini-2.0-flash'])('%s: a stream reports usage although the client did not ask', async (model) => {
    expect(await lastChunkUsage(model)).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('asks OpenAI upstream for usage on every stream', async () => {
    await lastChunkUsage('gpt-4o-mini');
    expect(openai.requestsTo('/chat/completions').at(-1)?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('Gemini channels without config.api_version use GEMINI_VERSION', async () => {
    await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] });
    expect(gemini.requests.at(-1)?.path).toBe('/v1/models/gemini-2.0-flash:generateContent');
  });
});
