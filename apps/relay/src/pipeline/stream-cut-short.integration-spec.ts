import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, startFakeAnthropic, startFakeGemini, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** What the provider reports as prompt tokens; the local estimate of 'hi' is a handful. */
const REPORTED_PROMPT = 321;

/**
 * A converted stream (Anthropic, Gemini) that the upstream cuts short, by a reset or by closing
 * before its last event: the client gets an error event and [DONE], and settlement bills the
 * prompt tokens the provider reported in earlier events, not the local estimate.
 */
describe('POST /v1/chat/completions: a stream the upstream cuts short', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let anthropic: FakeUpstream;
      let gemini: FakeUpstream;
      let key: string;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        anthropic = await startFakeAnthropic({ knobs: { promptTokens: REPORTED_PROMPT } });
        gemini = await startFakeGemini({ knobs: { promptTokens: REPORTED_PROMPT } });
        h = await startRelayHarness(kind);
        const userId = await h.createUser({ quota: 10_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 5_000_000 });
        await h.createChannel({ type: ChannelType.Anthropic, key: 'k', baseUrl: anthropic.url, models: ['claude-reset-3', 'claude-close-3', 'claude-chunks-3'] });
        await h.createChannel({ type: ChannelType.Gemini, key: 'k', baseUrl: gemini.url, models: ['gemini-reset-2', 'gemini-close-2'] });
        await h.refresh();
      });
      afterAll(async () => {
        await h?.close();
        await Promise.all([anthropic?.close(), gemini?.close()]);
      });

      async function stream(model: string): Promise<string> {
        const res = await fetch(`${h.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        expect(res.status).toBe(200);
        return res.text();
      }
      async function lastLog(model: string) {
        await h.flush();
        const [row] = await h.sql<{ prompt_tokens: number; completion_tokens: number; quota: number; content: string }>(
          'SELECT prompt_tokens, completion_tokens, quota, content FROM logs WHERE model_name = ? ORDER BY id DESC LIMIT 1',
          [model],
        );
        return { prompt: Number(row.prompt_tokens), completion: Number(row.completion_tokens), quota: Number(row.quota), content: row.content };
      }

      it.each(['claude-reset-3', 'claude-close-3', 'gemini-reset-2', 'gemini-close-2'])('%s: error event and [DONE]; billed on the reported prompt tokens', async (model) => {
        if (!h) return;
        const [before] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        const text = await stream(model);
        expect(text).toContain('tok0');
        expect(text).toMatch(/data: \{"error":\{[^\n]*"code":"upstream_reset"/);
        expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
        expect(text).not.toContain('"finish_reason":"stop"');
        const log = await lastLog(model);
        expect(log.prompt).toBe(REPORTED_PROMPT);
        // The delivered pieces ("tok0 tok1 ...") are counted when the provider's output count lags.
        expect(log.completion).toBeGreaterThanOrEqual(2);
        expect(log.content).toContain('upstream_reset');
        const [after] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        expect(Number(before.remain_quota) - Number(after.remain_quota)).toBe(log.quota);
        expect(await h.drift()).toEqual([]);
      });

      it('a complete stream is still billed on the final usage', async () => {
        if (!h) return;
        const text = await stream('claude-chunks-3');
        expect(text).not.toContain('"error"');
        expect(await lastLog('claude-chunks-3')).toMatchObject({ prompt: REPORTED_PROMPT, completion: 3 });
      });
    });
  }
});
