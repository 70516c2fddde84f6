import OpenAI from 'openai';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { createChannelKeyCipher } from '@oneapi/data';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const SECRET = 'relay-test-channel-key-secret';

describe('POST /v1/chat/completions with BATCH_UPDATE_ENABLED', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        h = await startRelayHarness(kind, { BATCH_UPDATE_ENABLED: 'true', BATCH_UPDATE_INTERVAL: '3600', CHANNEL_KEY_SECRET: SECRET });
        await h.setOption('ModelRatio', JSON.stringify({ 'batch-model': 2 }));
        await h.setOption('CompletionRatio', JSON.stringify({ 'batch-model': 3 }));
        // Stored encrypted, as admin writes it when CHANNEL_KEY_SECRET is set.
        await h.createChannel({ baseUrl: fake.url, models: ['batch-model'], key: createChannelKeyCipher(SECRET).encrypt('sk-plain-upstream') });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
      });

      it('holds the reservation until the batch is written, then lands on exactly the settled cost', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 500_000 });
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'batch-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 });
        await h.services.settlement.drain();
        expect(fake.requests[0].headers.authorization).toBe('Bearer sk-plain-upstream');
        const cost = Math.ceil((10 + 5 * 3) * 2);
        // Before the batch: the reservations (≥ cost each) are held, counters not yet written.
        const [pre] = await h.sql<{ quota: number; used_quota: number }>('SELECT quota, used_quota FROM users WHERE id = ?', [userId]);
        expect(Number(pre.quota)).toBeLessThan(1_000_000 - 3 * cost);
        expect(Number(pre.used_quota)).toBe(0);
        await h.flush();
        const [u] = await h.sql<{ quota: number; used_quota: number; request_count: number }>('SELECT quota, used_quota, request_count FROM users WHERE id = ?', [userId]);
        expect({ quota: Number(u.quota), used: Number(u.used_quota), requests: Number(u.request_count) }).toEqual({ quota: 1_000_000 - 3 * cost, used: 3 * cost, requests: 3 });
        const [t] = await h.sql<{ remain_quota: number; used_quota: number }>('SELECT remain_quota, used_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        expect({ remain: Number(t.remain_quota), used: Number(t.used_quota) }).toEqual({ remain: 500_000 - 3 * cost, used: 3 * cost });
        const logs = await h.sql<{ quota: number }>('SELECT quota FROM logs WHERE user_id = ?', [userId]);
        expect(logs.map((l) => Number(l.quota))).toEqual([cost, cost, cost]);
      });
    });
  }
});
