/**
 * Issue #10, money under faults (SPEC 13 "Money is conserved"): every admitted request holds a
 * durable reservation keyed by its request id; settlement is idempotent on it and is retried
 * while the database is away; a database that cannot be reached answers 503 service_unavailable
 * (never 500) and a SQLite lock held by another process never freezes the event loop. Afterwards
 * every balance reconciles: balance + used + held = granted, used = consume logs.
 */
import Database from 'better-sqlite3';
import { RelayLedger } from '@oneapi/data';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const messages = [{ role: 'user' as const, content: 'hello' }];

interface Outcome {
  status: number;
  code: string | null;
}

async function chat(h: RelayHarness, key: string, stream = false): Promise<Outcome> {
  const res = await fetch(`${h.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'money-model', messages, max_tokens: 20, stream }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let code: string | null = null;
  if (res.status !== 200) code = (JSON.parse(text) as { error: { code: string | null } }).error.code;
  return { status: res.status, code };
}

async function balances(h: RelayHarness, userId: number) {
  await h.flush();
  const [u] = await h.sql<{ quota: number; used_quota: number; request_count: number }>('SELECT quota, used_quota, request_count FROM users WHERE id = ?', [userId]);
  const logs = await h.sql<{ n: number; q: number }>('SELECT COUNT(*) AS n, COALESCE(SUM(quota), 0) AS q FROM logs WHERE user_id = ? AND type = 2', [userId]);
  const held = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM reservations WHERE user_id = ?', [userId]);
  return { quota: Number(u.quota), used: Number(u.used_quota), requests: Number(u.request_count), logs: Number(logs[0].n), billed: Number(logs[0].q), held: Number(held[0].n) };
}

describe('the relay ledger under faults', () => {
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
        // MySQL runs distributed (with Redis) as docker compose does; both hops can be cut.
        h = await startRelayHarness(kind, { RESERVATION_TTL: '60' }, { dbProxy: true, redisProxy: kind === 'mysql' });
        await h.setOption('ModelRatio', JSON.stringify({ 'money-model': 1 }));
        await h.setOption('CompletionRatio', JSON.stringify({ 'money-model': 1 }));
        await h.createChannel({ baseUrl: fake.url, models: ['money-model'] });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
      });

      it('holds a reservation row per request in flight and none after settlement; the money reconciles', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 500_000 });
        fake.setKnobs({ latencyMs: 400 });
        const running = chat(h, key);
        const rows = await eventually(async () => {
          const r = await h.sql<{ request_id: string; amount: number; token_charged: number }>('SELECT request_id, amount, token_charged FROM reservations WHERE user_id = ?', [userId]);
          return r.length ? r : null;
        });
        expect(rows).toHaveLength(1);
        expect(Number(rows[0].amount)).toBeGreaterThan(0);
        expect(Number(rows[0].token_charged)).toBe(1);
        expect((await running).status).toBe(200);
        fake.setKnobs({ latencyMs: 0 });
        await Promise.all(Array.from({ length: 10 }, (_, i) => chat(h, key, i % 2 === 1)));
        const b = await balances(h, userId);
        expect(b).toMatchObject({ held: 0, logs: 11, requests: 11 });
        const [log] = await h.sql<{ request_id: string }>('SELECT request_id FROM logs WHERE request_id = ?', [rows[0].request_id]);
        expect(log).toBeDefined();
        expect(await h.drift()).toEqual([]);
      });

      it('a settlement retried or duplicated changes nothing (idempotent on the request id)', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 10_000 });
        const [token] = await h.sql<{ id: number }>('SELECT id FROM tokens WHERE user_id = ?', [userId]).then(async (r) => {
          if (r.length) return r;
          await h.createToken({ userId, unlimitedQuota: false, remainQuota: 10_000 });
          return h.sql<{ id: number }>('SELECT id FROM tokens WHERE user_id = ?', [userId]);
        });
        const ledger = RelayLedger.open(h.runtime.db, { ttlMs: 60_000 });
        try {
          const requestId = `dup-${kind}-${Date.now()}`;
          expect(await ledger.reserve({ requestId, tokenId: token.id, userId, amount: 300, tokenUnlimited: false })).toBe('ok');
          const log = {
            userId,
            createdAt: Math.floor(Date.now() / 1000),
            type: 2,
            content: 'duplicate settlement',
            username: 'dup',
            tokenName: 'dup',
            modelName: 'money-model',
            quota: 120,
            promptTokens: 100,
            completionTokens: 20,
            channelId: 0,
            requestId,
            elapsedTime: 1,
            isStream: false,
          };
          const settlement = { requestId, tokenId: token.id, userId, amount: 300, tokenCharged: true, channelId: 0, cost: 120, countRequest: true, log };
          const results = await Promise.all([ledger.settle(settlement), ledger.settle(settlement)]);
          expect(results.sort()).toEqual(['absent', 'settled']);
          expect(await ledger.settle(settlement)).toBe('absent');
          const [u] = await h.sql<{ quota: number; used_quota: number; request_count: number }>('SELECT quota, used_quota, request_count FROM users WHERE id = ?', [userId]);
          expect({ quota: Number(u.quota), used: Number(u.used_quota), requests: Number(u.request_count) }).toEqual({ quota: 10_000 - 120, used: 120, requests: 1 });
          const [t] = await h.sql<{ remain_quota: number; used_quota: number }>('SELECT remain_quota, used_quota FROM tokens WHERE id = ?', [token.id]);
          expect({ remain: Number(t.remain_quota), used: Number(t.used_quota) }).toEqual({ remain: 10_000 - 120, used: 120 });
          expect(await h.sql('SELECT id FROM logs WHERE request_id = ?', [requestId])).toHaveLength(1);
        } finally {
          await ledger.close();
        }
      });

      it('database gone mid-traffic: each request is 200 and billed exactly once, or 503 service_unavailable; nothing is stranded', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 5_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 2_000_000 });
        // Warm the caches so requests reach admission while the database is away.
        expect((await chat(h, key)).status).toBe(200);
        fake.setKnobs({ latencyMs: 150 });
        let blocker: Database.Database | undefined;
        const outcomes: Outcome[] = [];
        const traffic = (async () => {
          const deadline = Date.now() + 4_000;
          while (Date.now() < deadline) {
            const batch = await Promise.all(Array.from({ length: 4 }, (_, i) => chat(h, key, i % 2 === 0)));
            outcomes.push(...batch);
          }
        })();
        await new Promise((r) => setTimeout(r, 800));
        if (kind === 'mysql') await h.dbProxy?.cut('refuse');
        else {
          // Another process's write lock (an admin write, a sqlite3 shell) held for 1.5 s.
          blocker = new Database(h.db.config.type === 'sqlite' ? h.db.config.path : '');
          blocker.exec('BEGIN IMMEDIATE');
        }
        await new Promise((r) => setTimeout(r, 1_500));
        if (kind === 'mysql') await h.dbProxy?.restore();
        else {
          blocker?.exec('COMMIT');
          blocker?.close();
        }
        await traffic;
        fake.setKnobs({ latencyMs: 0 });

        const ok = outcomes.filter((o) => o.status === 200).length + 1;
        const refused = outcomes.filter((o) => o.status !== 200);
        expect(refused.length).toBeGreaterThan(0);
        for (const o of refused) expect(o).toEqual({ status: 503, code: 'service_unavailable' });
        await eventually(async () => ((await balances(h, userId)).held === 0 ? true : null), 15_000);
        const b = await balances(h, userId);
        expect(b.logs).toBe(ok);
        expect(b.requests).toBe(ok);
        expect(b.used).toBe(b.billed);
        expect(await h.drift()).toEqual([]);
      });

      it('a key that is not cached yet while the database is down: 503 service_unavailable, not 500', async () => {
        if (!h?.dbProxy) return;
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: true });
        await h.dbProxy.cut('refuse');
        try {
          expect(await chat(h, key)).toEqual({ status: 503, code: 'service_unavailable' });
        } finally {
          await h.dbProxy.restore();
        }
        expect((await chat(h, key)).status).toBe(200);
      });

      it('Redis gone mid-traffic changes no money: requests keep succeeding and every balance reconciles', async () => {
        if (!h?.redisProxy) return;
        const userId = await h.createUser({ quota: 5_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 2_000_000 });
        expect((await chat(h, key)).status).toBe(200);
        const outcomes: Outcome[] = [];
        const traffic = (async () => {
          const deadline = Date.now() + 2_500;
          while (Date.now() < deadline) outcomes.push(...(await Promise.all(Array.from({ length: 4 }, (_, i) => chat(h, key, i % 2 === 0)))));
        })();
        await new Promise((r) => setTimeout(r, 500));
        await h.redisProxy.cut('refuse');
        await new Promise((r) => setTimeout(r, 1_500));
        await h.redisProxy.restore();
        await traffic;
        expect(outcomes.length).toBeGreaterThan(0);
        for (const o of outcomes) expect(o.status).toBe(200);
        const b = await balances(h, userId);
        expect(b).toMatchObject({ held: 0, logs: outcomes.length + 1, requests: outcomes.length + 1 });
        expect(await h.drift()).toEqual([]);
      });

      it('while the database is away a request gets 503 within about a second and the event loop keeps answering', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 500_000 });
        expect((await chat(h, key)).status).toBe(200);
        let blocker: Database.Database | undefined;
        if (kind === 'mysql') await h.dbProxy?.cut('hang');
        else {
          blocker = new Database(h.db.config.type === 'sqlite' ? h.db.config.path : '');
          blocker.exec('BEGIN IMMEDIATE');
        }
        try {
          const started = performance.now();
          const pending = chat(h, key).then((o) => ({ ...o, ms: performance.now() - started }));
          await new Promise((r) => setTimeout(r, 30));
          const healthStarted = performance.now();
          const health = await fetch(`${h.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
          const healthMs = performance.now() - healthStarted;
          const refused = await pending;
          expect(health.status).toBeLessThan(500);
          expect(healthMs).toBeLessThan(500);
          expect({ status: refused.status, code: refused.code }).toEqual({ status: 503, code: 'service_unavailable' });
          expect(refused.ms).toBeLessThan(2_500);
        } finally {
          if (kind === 'mysql') await h.dbProxy?.restore();
          else {
            blocker?.exec('ROLLBACK');
            blocker?.close();
          }
        }
        await eventually(async () => ((await balances(h, userId)).held === 0 ? true : null), 15_000);
        expect(await h.drift()).toEqual([]);
      });
    });
  }
});
