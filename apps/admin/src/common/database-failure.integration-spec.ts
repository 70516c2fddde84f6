import BetterSqlite3 from 'better-sqlite3';
import { LogType, Role } from '@oneapi/domain';
import { availableDbKinds, createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from '@oneapi/testing';
import { describeOnEachDb, startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';
import { waitFor } from '../testing/wait-for';

const as = (u: TestUser) => ({ Authorization: u.accessToken });
const quotaOf = async (h: AdminHarness, id: number) => Number((await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [id]))[0]?.quota);

/** What the admin must answer while its database is unavailable (SPEC section 13). */
function expectServiceUnavailable(res: { status: number; body: unknown; headers: Record<string, string> }, startedAt: number): void {
  expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: { success: false, message: expect.stringMatching(/database/), data: null, code: 'service_unavailable' } });
  expect(res.headers['retry-after']).toBe('1');
  expect(Date.now() - startedAt).toBeLessThan(1500);
}

/**
 * A change that committed is answered as done even when the work after it fails: here the SQL
 * cache bus's table is renamed away, so every publish after a commit throws a real driver error.
 */
describeOnEachDb('work after the commit fails: POST /api/topup, POST /api/user/topup, PUT /api/user, POST /api/token', (get) => {
  let admin: TestUser;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
  });

  async function withBrokenPublish(h: AdminHarness, fn: () => Promise<void>): Promise<void> {
    await h.sql('ALTER TABLE cache_events RENAME TO cache_events_away');
    try {
      await fn();
    } finally {
      await h.sql('ALTER TABLE cache_events_away RENAME TO cache_events');
    }
  }

  it('answers success, changes once, and a retry with the key replays the answer', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const codes = await h.http().post('/api/redemption').set(as(admin)).send({ name: 'after-commit', quota: 40, count: 1 }).expect(200);
    await withBrokenPublish(h, async () => {
      const topUp = () => h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'broken-publish').send({ user_id: u.id, quota: 100 });
      const first = await topUp();
      expect([first.status, first.body]).toEqual([200, { success: true, message: '' }]);
      const retry = await topUp();
      expect([retry.status, retry.body]).toEqual([200, first.body]);

      const redeem = await h.http().post('/api/user/topup').set(as(u)).send({ key: codes.body.data[0] });
      expect([redeem.status, redeem.body]).toEqual([200, { success: true, message: '', data: 40 }]);

      const edit = await h.http().put('/api/user').set(as(admin)).send({ id: u.id, quota: 1000 });
      expect([edit.status, edit.body.data?.quota]).toEqual([200, 1000]);

      const token = await h.http().post('/api/token').set(as(u)).send({ name: 'after-commit', remain_quota: 10 });
      expect([token.status, token.body.data?.name]).toEqual([200, 'after-commit']);
    });
    expect(await quotaOf(h, u.id)).toBe(1000);
    const logs = await h.sql<{ type: number; quota: number }>('SELECT type, quota FROM logs WHERE user_id = ? ORDER BY id', [u.id]);
    expect(logs.map((l) => [Number(l.type), Number(l.quota)])).toEqual([
      [LogType.Topup, 100],
      [LogType.Topup, 40],
      [LogType.Manage, 0],
    ]);
  });
});

describe('work after the commit fails: the top-up log on a LOG_SQL_DSN database that is gone', () => {
  let logDb: TestDatabase | undefined;
  let h: AdminHarness | undefined;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes('mysql')) return;
    logDb = await createTestDatabase('mysql');
    h = await startAdminHarness('sqlite', { LOG_SQL_DSN: logDb.env.SQL_DSN ?? '' });
  });
  afterAll(async () => {
    await h?.close();
    await logDb?.drop();
  });

  it('POST /api/topup and POST /api/user/topup still answer success and credit once', async () => {
    if (!h) return;
    const admin = await h.createUser({ role: Role.Admin });
    const u = await h.createUser({ quota: 0 });
    const codes = await h.http().post('/api/redemption').set(as(admin)).send({ name: 'lost-log', quota: 7, count: 1 }).expect(200);
    await h.runtime.db.logSource.query('RENAME TABLE logs TO logs_away');
    try {
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: 30 }).expect(200);
      const redeem = await h.http().post('/api/user/topup').set(as(u)).send({ key: codes.body.data[0] }).expect(200);
      expect(redeem.body.data).toBe(7);
    } finally {
      await h.runtime.db.logSource.query('RENAME TABLE logs_away TO logs');
    }
    expect(await quotaOf(h, u.id)).toBe(37);
  });
});

describe('database unavailable [sqlite]: another writer holds the lock', () => {
  let h: AdminHarness;
  let holder: BetterSqlite3.Database;

  beforeAll(async () => {
    h = await startAdminHarness('sqlite', { SQLITE_BUSY_TIMEOUT: '200' });
  });
  afterAll(async () => {
    if (holder?.open) holder.close();
    await h.close();
  });

  it('POST /api/topup and POST /api/user/topup answer 503 service_unavailable within a second and credit nothing; retries succeed once', async () => {
    const admin = await h.createUser({ role: Role.Admin });
    const u = await h.createUser({ quota: 3 });
    const codes = await h.http().post('/api/redemption').set(as(admin)).send({ name: 'while-locked', quota: 6, count: 1 }).expect(200);
    if (h.db.config.type !== 'sqlite') throw new Error('expected SQLite');
    holder = new BetterSqlite3(h.db.config.path);
    holder.exec('BEGIN IMMEDIATE');
    const send = () => h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'while-locked').send({ user_id: u.id, quota: 50 });
    try {
      const startedAt = Date.now();
      expectServiceUnavailable(await send(), startedAt);
      const redeemAt = Date.now();
      expectServiceUnavailable(await h.http().post('/api/user/topup').set(as(u)).send({ key: codes.body.data[0] }), redeemAt);
      expect(await quotaOf(h, u.id)).toBe(3);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await send().expect(200);
    await send().expect(200);
    await h.http().post('/api/user/topup').set(as(u)).send({ key: codes.body.data[0] }).expect(200);
    expect(await quotaOf(h, u.id)).toBe(59);
  });
});

describe('database unavailable [mysql]: the server is unreachable', () => {
  let h: AdminHarness | undefined;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes('mysql')) return;
    // The admin reaches its database through a hop the test can cut; the shared server stays up.
    h = await startAdminHarness('mysql', async (db) => {
      if (db.config.type !== 'mysql') throw new Error('expected MySQL');
      proxy = await startTcpProxy(db.config.host, db.config.port);
      return { SQL_DSN: (db.env.SQL_DSN ?? '').replace(`:${db.config.port}/`, `:${proxy.port}/`) };
    });
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  it('answers 503 service_unavailable within a second, never 500, and recovers when the server is back', async () => {
    if (!h || !proxy) return;
    const harness = h;
    const admin = await harness.createUser({ role: Role.Admin });
    const u = await harness.createUser({ quota: 0 });
    await proxy.cut();
    try {
      for (const call of [
        () => harness.http().get('/api/user/self').set(as(admin)),
        () => harness.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'while-down').send({ user_id: u.id, quota: 9 }),
        () => harness.http().get('/api/user/?p=0').set(as(admin)),
      ]) {
        const startedAt = Date.now();
        expectServiceUnavailable(await call(), startedAt);
      }
    } finally {
      await proxy.restore();
    }
    await waitFor(async () => (await harness.http().get('/api/user/self').set(as(admin))).status === 200, 10_000, 'the admin answering again');
    await harness.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'while-down').send({ user_id: u.id, quota: 9 }).expect(200);
    expect(await quotaOf(harness, u.id)).toBe(9);
  });
});
