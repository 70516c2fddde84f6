import { LogType, Role } from '@oneapi/domain';
import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';

/** LOG_SQL_DSN: logs live in their own MariaDB database while the main data is on SQLite. */
describe('logs in a separate LOG_SQL_DSN database', () => {
  let logDb: TestDatabase | undefined;
  let h: AdminHarness | undefined;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes('mysql')) return;
    logDb = await createTestDatabase('mysql');
    h = await startAdminHarness('sqlite', { LOG_SQL_DSN: logDb.env.SQL_DSN ?? '' });
    admin = await h.createUser({ role: Role.Admin });
    user = await h.createUser();
  });
  afterAll(async () => {
    await h?.close();
    await logDb?.drop();
  });

  it('POST /api/user/topup credits on the main database and writes the top-up log to the log database', async () => {
    if (!h) return;
    expect(h.runtime.db.logSource).not.toBe(h.runtime.db.source);
    const created = await h.http().post('/api/redemption/').set({ Authorization: admin.accessToken }).send({ name: 'logdb', quota: 250, count: 1 }).expect(200);
    await h.http().post('/api/user/topup').set({ Authorization: user.accessToken }).send({ key: created.body.data[0] }).expect(200);
    const quota = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [user.id]);
    expect(Number(quota[0]?.quota)).toBe(250);
    const logs: Array<{ type: number; quota: number }> = await h.runtime.db.logSource.query('SELECT type, quota FROM logs WHERE user_id = ?', [user.id]);
    expect(logs.map((l) => [Number(l.type), Number(l.quota)])).toEqual([[LogType.Topup, 250]]);
    const main = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs');
    expect(Number(main[0]?.n)).toBe(0);

    const self = await h.http().get('/api/log/self').set({ Authorization: user.accessToken }).expect(200);
    expect(self.body.data).toHaveLength(1);
    await h.http().delete('/api/log/').query({ target_timestamp: Math.floor(Date.now() / 1000) + 10 }).set({ Authorization: admin.accessToken }).expect(200);
    expect(await h.runtime.db.logSource.query('SELECT id FROM logs')).toEqual([]);
  });
});
