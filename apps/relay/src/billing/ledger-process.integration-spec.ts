/**
 * Issue #10 with real relay processes (the dist build) on SQLite and MariaDB: a relay killed with
 * SIGKILL while requests are in flight strands nothing for longer than RESERVATION_TTL (the
 * sweeper releases each reservation and leaves a system log row), and a relay stopped with
 * SIGTERM while streams outlive the drain deadline ends each stream with an error event and
 * [DONE], bills and logs it, and leaves no reservation behind.
 */
import { randomBytes } from 'node:crypto';
import { childEnv } from '@oneapi/config';
import { reconcile, sweepExpiredReservations } from '@oneapi/data';
import {
  WORKSPACE_ROOT,
  availableDbKinds,
  distFile,
  freePort,
  startFakeOpenAI,
  startProcess,
  waitForHttp,
  type DbKind,
  type FakeUpstream,
  type RunningProcess,
} from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const SLOW = 'money-latency-4000';
const LONG_STREAM = 'money-chunks-400-delay-50';

async function startRelayProcess(h: RelayHarness, env: Record<string, string>): Promise<{ proc: RunningProcess; baseURL: string }> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [distFile('apps/relay/src/main.js')], {
    cwd: WORKSPACE_ROOT,
    env: childEnv({ ...h.db.env, SESSION_SECRET: randomBytes(24).toString('hex'), PORT: String(port), LOG_LEVEL: 'warn', NODE_TYPE: 'slave', ...env }),
  });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, { process: proc, timeoutMs: 60_000 });
  return { proc, baseURL: `http://127.0.0.1:${port}/v1` };
}

function post(baseURL: string, key: string, model: string, stream: boolean): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 50, stream }),
  });
}

describe('the relay ledger across process deaths', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      const procs: RunningProcess[] = [];

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        // The in-process relay seeds the database and reads it back; the relays under test are processes.
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify({ [SLOW]: 1, [LONG_STREAM]: 1, money: 1 }));
        await h.setOption('CompletionRatio', JSON.stringify({ [SLOW]: 1, [LONG_STREAM]: 1, money: 1 }));
        await h.createChannel({ baseUrl: fake.url, models: [SLOW, LONG_STREAM, 'money'] });
      });
      afterAll(async () => {
        for (const p of procs) await p.stop(2_000);
        await h?.close();
        await fake?.close();
      });

      it('kill -9 with 10 requests in flight: after RESERVATION_TTL one sweep gives every unit back, with a system log row each', async () => {
        if (!h) return;
        const granted = 1_000_000;
        const userId = await h.createUser({ quota: granted });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 400_000 });
        const relay = await startRelayProcess(h, { RESERVATION_TTL: '2' });
        procs.push(relay.proc);
        const inFlight = Array.from({ length: 10 }, () => post(relay.baseURL, key, SLOW, false).catch((e: Error) => e));
        await eventually(async () => {
          const [r] = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM reservations WHERE user_id = ?', [userId]);
          return Number(r.n) === 10 ? true : null;
        });
        relay.proc.child.kill('SIGKILL');
        await relay.proc.exited;
        for (const r of await Promise.all(inFlight)) expect(r).toMatchObject({ message: 'fetch failed' });

        const [held] = await h.sql<{ n: number; amount: number }>('SELECT COUNT(*) AS n, SUM(amount) AS amount FROM reservations WHERE user_id = ?', [userId]);
        expect(Number(held.n)).toBe(10);
        const [before] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        expect(Number(before.quota)).toBe(granted - Number(held.amount));
        // Held, not lost: the books already balance with the reservations counted.
        expect((await reconcile(h.runtime.db)).ok).toBe(true);

        // Nothing is released before the TTL; after it one sweep releases all ten.
        expect((await sweepExpiredReservations(h.runtime.db)).released).toBe(0);
        await new Promise((r) => setTimeout(r, 2_200));
        const swept = await sweepExpiredReservations(h.runtime.db);
        expect(swept.released).toBe(10);
        const [u] = await h.sql<{ quota: number; used_quota: number }>('SELECT quota, used_quota FROM users WHERE id = ?', [userId]);
        expect({ quota: Number(u.quota), used: Number(u.used_quota) }).toEqual({ quota: granted, used: 0 });
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        expect(Number(t.remain_quota)).toBe(400_000);
        const system = await h.sql<{ content: string }>('SELECT content FROM logs WHERE user_id = ? AND type = 4', [userId]);
        expect(system).toHaveLength(10);
        expect(system[0].content).toMatch(/released/);

        // Restarted, the relay serves and bills again; the books still balance.
        const again = await startRelayProcess(h, { RESERVATION_TTL: '2' });
        procs.push(again.proc);
        for (let i = 0; i < 3; i++) expect((await post(again.baseURL, key, 'money', i === 1)).status).toBe(200);
        await eventually(async () => {
          const [r] = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE user_id = ? AND type = 2', [userId]);
          return Number(r.n) === 3 ? true : null;
        });
        await again.proc.stop();
        const report = await reconcile(h.runtime.db);
        expect({ users: report.users, tokens: report.tokens, billed: report.billed }).toEqual({ users: [], tokens: [], billed: [] });
      });

      it('SIGTERM with streams outliving the drain deadline: each ends with an error event and [DONE], is billed and logged, nothing stays held', async () => {
        if (!h) return;
        const userId = await h.createUser({ quota: 1_000_000 });
        const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 500_000 });
        // Streams are ended 5 s before the deadline: here 3 s after SIGTERM.
        const relay = await startRelayProcess(h, { SHUTDOWN_TIMEOUT: '8' });
        procs.push(relay.proc);
        const streams = await Promise.all(Array.from({ length: 3 }, () => post(relay.baseURL, key, LONG_STREAM, true)));
        const bodies = streams.map((res) => res.text());
        await new Promise((r) => setTimeout(r, 500));
        const stopped = relay.proc.stop(15_000);
        const texts = await Promise.all(bodies);
        expect(await stopped).toBe(0);
        for (const text of texts) {
          expect(text).toMatch(/"error"/);
          expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
        }
        const logs = await h.sql<{ content: string; quota: number; completion_tokens: number }>('SELECT content, quota, completion_tokens FROM logs WHERE user_id = ? AND type = 2', [userId]);
        expect(logs).toHaveLength(3);
        for (const l of logs) {
          expect(l.content).toMatch(/stream ended: shutdown/);
          expect(Number(l.completion_tokens)).toBeGreaterThan(0);
          expect(Number(l.completion_tokens)).toBeLessThan(400);
        }
        expect(await h.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(0);
        expect(await h.drift()).toEqual([]);
      });
    });
  }
});
