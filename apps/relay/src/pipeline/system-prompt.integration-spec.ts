import OpenAI from 'openai';
import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, startFakeAnthropic, startFakeGemini, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const PROMPT = 'You are the channel assistant.';

/**
 * A channel's system prompt with One API's semantics on every adapter: it replaces the client's
 * first system message or is put first, and the consume log row says so (`system_prompt_reset`).
 */
describe('POST /v1/chat/completions with a channel system prompt', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let openai: FakeUpstream;
      let anthropic: FakeUpstream;
      let gemini: FakeUpstream;
      let client: OpenAI;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        openai = await startFakeOpenAI();
        anthropic = await startFakeAnthropic();
        gemini = await startFakeGemini();
        h = await startRelayHarness(kind);
        const userId = await h.createUser({ quota: 10_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: true });
        const seeded: [number, FakeUpstream, string][] = [
          [ChannelType.OpenAI, openai, 'gpt-4o-mini'],
          [ChannelType.Anthropic, anthropic, 'claude-3-5-haiku-20241022'],
          [ChannelType.Gemini, gemini, 'gemini-2.0-flash'],
        ];
        for (const [type, fake, model] of seeded) {
          const id = await h.createChannel({ type, key: 'upstream-key', baseUrl: fake.url, models: [model] });
          await h.sql('UPDATE channels SET system_prompt = ? WHERE id = ?', [PROMPT, id]);
        }
        await h.createChannel({ baseUrl: openai.url, models: ['gpt-4o'] });
        await h.refresh();
        client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      });
      afterAll(async () => {
        await h?.close();
        await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
      });

      const lastLog = async (model: string) => {
        await h.flush();
        const [row] = await h.sql<{ system_prompt_reset: number }>('SELECT system_prompt_reset FROM logs WHERE model_name = ? ORDER BY id DESC LIMIT 1', [model]);
        return Number(row.system_prompt_reset);
      };
      const withSystem: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: 'hi' },
      ];

      it('OpenAI channel: the client system message is replaced, not followed', async () => {
        if (!h) return;
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: withSystem });
        expect(openai.requestsTo('/chat/completions').at(-1)?.body).toMatchObject({
          messages: [
            { role: 'system', content: PROMPT },
            { role: 'user', content: 'hi' },
          ],
        });
        expect(await lastLog('gpt-4o-mini')).toBe(1);
        await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }).then(async (s) => {
          for await (const _ of s) void _;
        });
        expect((openai.requestsTo('/chat/completions').at(-1)?.body as { messages: unknown[] }).messages).toEqual([
          { role: 'system', content: PROMPT },
          { role: 'user', content: 'hi' },
        ]);
        expect(await lastLog('gpt-4o-mini')).toBe(1);
      });

      it('Anthropic channel: the channel prompt is the system field', async () => {
        if (!h) return;
        await client.chat.completions.create({ model: 'claude-3-5-haiku-20241022', messages: withSystem });
        const body = anthropic.requestsTo('/v1/messages').at(-1)?.body as { system?: unknown; messages: unknown[] };
        expect(body.system).toBe(PROMPT);
        expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
        expect(await lastLog('claude-3-5-haiku-20241022')).toBe(1);
      });

      it('Gemini channel: the channel prompt is the systemInstruction', async () => {
        if (!h) return;
        await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: withSystem });
        const body = gemini.requests.at(-1)?.body as { systemInstruction?: unknown; contents: unknown[] };
        expect(body.systemInstruction).toEqual({ parts: [{ text: PROMPT }] });
        expect(JSON.stringify(body.contents)).not.toContain('pirate');
        expect(await lastLog('gemini-2.0-flash')).toBe(1);
      });

      it('a channel without a system prompt leaves the messages and the flag alone', async () => {
        if (!h) return;
        await client.chat.completions.create({ model: 'gpt-4o', messages: withSystem });
        expect(openai.requestsTo('/chat/completions').at(-1)?.body).toMatchObject({ messages: withSystem });
        expect(await lastLog('gpt-4o')).toBe(0);
      });
    });
  }
});
