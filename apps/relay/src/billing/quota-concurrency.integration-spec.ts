import OpenAI, { APIError } from 'openai';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/**
 * 200 simultaneous requests against a balance that pays for exactly 50: the conditional UPDATEs
 * must let exactly 50 through, never double-spend and never go below zero.
 */
describe('POST /v1/chat/completions under concurrency (quota)', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      // reserve == settle: (prompt + max_tokens) at ratio 1 == prompt + completion at completion ratio 1
      const PER_REQUEST = 40;
      const messages = [{ role: 'user' as const, content: 'x' }];

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI({ knobs: { completionTokens: 30 } });
        h = await startRelayHarness(kind, { SQL_MAX_OPEN_CONNS: '20' });
        await h.setOption('ModelRatio', JSON.stringify({ 'conc-model': 1 }));
        await h.setOption('CompletionRatio', JSON.stringify({ 'conc-model': 1 }));
        await h.setOption('PreConsumedQuota', '0');
        await h.createChannel({ baseUrl: fake.url, models: ['conc-model'] });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
      });

      async function burst(key: string, prompt: number) {
        // The fake reports the relay's own prompt estimate, so the settlement equals the reservation.
        fake.setKnobs({ promptTokens: prompt, completionTokens: PER_REQUEST - prompt });
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0, timeout: 60_000 });
        const before = fake.count('/chat/completions');
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, () => client.chat.completions.create({ model: 'conc-model', messages, max_tokens: PER_REQUEST - prompt })),
        );
        return { results, upstream: fake.count('/chat/completions') - before };
      }

      async function localPrompt(): Promise<number> {
        const probeUser = await h.createUser();
        const key = await h.createToken({ userId: probeUser });
        // One request with a large balance tells us the relay's prompt estimate (logged when the upstream sends none).
        fake.setKnobs({ usage: false });
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        await client.chat.completions.create({ model: 'conc-model', messages, max_tokens: 1 });
        fake.setKnobs({ usage: true });
        const rows = await eventually(async () => {
          await h.flush();
          const r = await h.sql<{ prompt_tokens: number }>('SELECT prompt_tokens FROM logs WHERE user_id = ?', [probeUser]);
          return r.length ? r : null;
        });
        return Number(rows[0].prompt_tokens);
      }

      it('token quota for exactly 50 → 50 succeed, 150 get 403 insufficient_token_quota, token ends at 0', async () => {
        if (!h) return;
        const prompt = await localPrompt();
        expect(prompt).toBeLessThan(PER_REQUEST);
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 50 * PER_REQUEST });
        const { results, upstream } = await burst(key, prompt);
        const ok = results.filter((r) => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as APIError);
        expect(ok).toHaveLength(50);
        expect(failed).toHaveLength(150);
        for (const e of failed) expect({ status: e.status, code: e.code }).toEqual({ status: 403, code: 'insufficient_token_quota' });
        expect(upstream).toBe(50);
        await h.flush();
        const [t] = await h.sql<{ remain_quota: number; used_quota: number }>('SELECT remain_quota, used_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        expect(Number(t.remain_quota)).toBe(0);
        expect(Number(t.used_quota)).toBe(50 * PER_REQUEST);
        const [u] = await h.sql<{ quota: number; request_count: number }>('SELECT quota, request_count FROM users WHERE id = ?', [userId]);
        expect(Number(u.quota)).toBe(1_000_000 - 50 * PER_REQUEST);
        expect(Number(u.request_count)).toBe(50);
      });

      it('charges above the reservation are recorded, not forgiven: used + remaining = granted exactly, then no admission', async () => {
        if (!h) return;
        const prompt = await localPrompt();
        const userId = await h.createUser({ quota: 1_000_000 });
        const granted = 50 * PER_REQUEST;
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: granted });
        // No max_tokens: the reservation is the prompt alone, each request costs PER_REQUEST.
        fake.setKnobs({ promptTokens: prompt, completionTokens: PER_REQUEST - prompt });
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0, timeout: 60_000 });
        const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.chat.completions.create({ model: 'conc-model', messages })));
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        expect(ok).toBeGreaterThan(50);
        await h.flush();
        const [t] = await h.sql<{ remain_quota: number; used_quota: number }>('SELECT remain_quota, used_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        expect(Number(t.used_quota)).toBe(ok * PER_REQUEST);
        expect(Number(t.remain_quota) + Number(t.used_quota)).toBe(granted);
        expect(Number(t.remain_quota)).toBeLessThan(0);
        expect(await h.drift()).toEqual([]);
        // Below zero: the next request is refused before it reaches the upstream.
        const refused = await client.chat.completions.create({ model: 'conc-model', messages }).catch((e: APIError) => e);
        expect(refused).toMatchObject({ status: 403, code: 'insufficient_token_quota' });
      });

      it('user quota for exactly 50 → 50 succeed, 150 get 403 insufficient_user_quota, user ends at 0', async () => {
        if (!h) return;
        const prompt = await localPrompt();
        const userId = await h.createUser({ quota: 50 * PER_REQUEST });
        const key = await h.createToken({ userId, unlimitedQuota: true });
        const { results, upstream } = await burst(key, prompt);
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as APIError);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
        expect(failed).toHaveLength(150);
        for (const e of failed) expect({ status: e.status, code: e.code }).toEqual({ status: 403, code: 'insufficient_user_quota' });
        expect(upstream).toBe(50);
        await h.flush();
        const [u] = await h.sql<{ quota: number; used_quota: number }>('SELECT quota, used_quota FROM users WHERE id = ?', [userId]);
        expect(Number(u.quota)).toBe(0);
        expect(Number(u.used_quota)).toBe(50 * PER_REQUEST);
        const logs = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE user_id = ?', [userId]);
        expect(Number(logs[0].n)).toBe(50);
      });
    });
  }
});
