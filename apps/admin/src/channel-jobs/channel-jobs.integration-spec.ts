import { ChannelStatus, Role } from '@oneapi/domain';
import { availableDbKinds, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';

const KEY = 'sk-admin-jobs-key';

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each([['sqlite'], ['mysql']] as const)('channel test and balance routes on %s (embedded jobs)', (kind) => {
  let h: AdminHarness | undefined;
  let fake: FakeUpstream;
  let user: TestUser;
  let auth: Record<string, string>;

  const channel = async (name: string, opts: { key?: string; status?: number } = {}) => {
    const hh = h as AdminHarness;
    await hh.sql("INSERT INTO channels (type, `key`, status, name, base_url, models, `group`) VALUES (1, ?, ?, ?, ?, 'gpt-4o-mini,gpt-4o', 'default')", [opts.key ?? KEY, opts.status ?? ChannelStatus.Enabled, name, fake.url]);
    return Number((await hh.sql<{ id: number }>('SELECT id FROM channels WHERE name = ?', [name]))[0].id);
  };

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes(kind)) return;
    fake = await startFakeOpenAI({ apiKey: KEY });
    h = await startAdminHarness(kind);
    auth = { Authorization: h.root.accessToken };
    user = await h.createUser({ role: Role.Common });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('POST /api/channel/test/:id tests one channel and answer One API style', async () => {
    if (!h) return;
    const id = await channel('one');
    const res = await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200);
    expect(res.body).toMatchObject({ success: true, message: '', model: 'gpt-4o-mini' });
    expect(res.body.time).toBeGreaterThan(0);
    const post = await h.http().post(`/api/channel/test/${id}?model=gpt-4o`).set(auth).expect(200);
    expect(post.body).toMatchObject({ success: true, model: 'gpt-4o' });
    expect((await h.http().get(`/api/channel/${id}`).set(auth).expect(200)).body.data).toMatchObject({ test_model: 'gpt-4o', test_error: '' });
    const [row] = await h.sql<{ response_time: number; test_time: number }>('SELECT response_time, test_time FROM channels WHERE id = ?', [id]);
    expect(Number(row.response_time)).toBeGreaterThan(0);
    expect(Number(row.test_time)).toBeGreaterThan(0);
    const logs = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE type = 5 AND channel_id = ?', [id]);
    expect(Number(logs[0].n)).toBe(2);
  });

  it('a failing channel answers success:false with the reason, never the key', async () => {
    if (!h) return;
    const id = await channel('bad', { key: 'sk-wrong-secret' });
    const res = await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200);
    expect(res.body.success).toBe(false);
    expect(res.body.message).toContain('401');
    expect(JSON.stringify(res.body)).not.toContain('sk-wrong-secret');
    // The row keeps the outcome: model, and the reason in the gateway's words (never the key).
    const view = await h.http().get(`/api/channel/${id}`).set(auth).expect(200);
    expect(view.body.data).toMatchObject({ test_model: 'gpt-4o-mini', test_error: expect.stringContaining('401') });
    expect(view.body.data.test_time).toBeGreaterThan(0);
    expect(view.body.data.test_error).not.toContain('sk-wrong-secret');
  });

  it('answers 404 for a missing channel, 400 for a bad id, and requires an admin', async () => {
    if (!h) return;
    await h.http().post('/api/channel/test/987654').set(auth).expect(404);
    await h.http().post('/api/channel/update_balance/987654').set(auth).expect(404);
    const bad = await h.http().post('/api/channel/test/abc').set(auth).expect(400);
    expect(bad.body.success).toBe(false);
    await h.http().post('/api/channel/test/1').expect(401);
    await h.http().post('/api/channel/test/1').set({ Authorization: user.accessToken }).expect(403);
    await h.http().post('/api/channel/test').set({ Authorization: user.accessToken }).expect(403);
    await h.http().get('/api/channel/jobs').set({ Authorization: user.accessToken }).expect(403);
  });

  it('POST /api/channel/update_balance/:id stores the upstream balance', async () => {
    if (!h) return;
    fake.setBalance({ hardLimitUsd: 50, totalUsageCents: 1234, hasPaymentMethod: true });
    const id = await channel('balance');
    const res = await h.http().post(`/api/channel/update_balance/${id}`).set(auth).expect(200);
    expect(res.body).toMatchObject({ success: true, balance: 37.66 });
    const [row] = await h.sql<{ balance: number; balance_updated_time: number }>('SELECT balance, balance_updated_time FROM channels WHERE id = ?', [id]);
    expect(Number(row.balance)).toBeCloseTo(37.66);
    expect(Number(row.balance_updated_time)).toBeGreaterThan(0);
  });

  it('the routes that start work answer GET with 405 in the /api shape and start nothing', async () => {
    if (!h) return;
    const id = await channel('get-refused');
    for (const path of ['/api/channel/test', `/api/channel/test/${id}`, '/api/channel/update_balance', `/api/channel/update_balance/${id}`]) {
      const res = await h.http().get(path).set(auth).expect(405);
      expect(res.body).toEqual({ success: false, message: 'use POST for this route', data: null, code: 'method_not_allowed' });
      expect(res.headers['allow']).toBe('POST');
    }
    const [row] = await h.sql<{ test_time: number; balance_updated_time: number }>('SELECT test_time, balance_updated_time FROM channels WHERE id = ?', [id]);
    expect(Number(row.test_time)).toBe(0);
    expect(Number(row.balance_updated_time)).toBe(0);
    const jobs = await h.http().get('/api/channel/jobs').set(auth).expect(200);
    expect(jobs.body.data.test_all.running).toBe(false);
    expect(jobs.body.data.update_balance_all.running).toBe(false);
  });

  it('a failed balance query quotes the upstream to root only, not to other admins', async () => {
    if (!h) return;
    const admin = await h.createUser({ role: Role.Admin });
    const id = await channel('balance-refused', { key: 'sk-balance-wrong' });
    const root = await h.http().post(`/api/channel/update_balance/${id}`).set(auth).expect(200);
    expect(root.body.success).toBe(false);
    expect(root.body.message).toContain('401');
    const other = await h.http().post(`/api/channel/update_balance/${id}`).set({ Authorization: admin.accessToken }).expect(200);
    expect(other.body).toEqual({ success: false, message: expect.any(String) });
    expect(other.body.message).not.toContain('401');
    expect(other.body.message).not.toBe(root.body.message);
  });

  it('test all enqueues and returns at once; a second one while it runs is refused; progress and last result are readable', async () => {
    if (!h) return;
    fake.setKnobs({ latencyMs: 150 });
    try {
      const total = Number((await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM channels'))[0].n);
      const started = Date.now();
      const first = await h.http().post('/api/channel/test').set(auth).expect(200);
      expect(Date.now() - started).toBeLessThan(total * 150);
      expect(first.body).toMatchObject({ success: true, data: { run_id: expect.any(String) } });
      const second = await h.http().post('/api/channel/test').set(auth).expect(409);
      expect(second.body).toMatchObject({ success: false, message: expect.stringContaining('already running') });
      const during = await h.http().get('/api/channel/jobs').set(auth).expect(200);
      expect(during.body.data).toMatchObject({ driver: 'in-process', test_all: { running: true, run_id: first.body.data.run_id } });

      await waitUntil(async () => (await (h as AdminHarness).http().get('/api/channel/jobs').set(auth)).body.data.test_all.running === false, 20_000, 'the test-all run');
      const after = await h.http().get('/api/channel/jobs').set(auth).expect(200);
      expect(after.body.data.test_all.last).toMatchObject({ run_id: first.body.data.run_id, success: true, total, failed: 2, succeeded: total - 2 });
    } finally {
      fake.resetKnobs();
    }
  });

  it('update_balance (all) enqueues and records the result', async () => {
    if (!h) return;
    const res = await h.http().post('/api/channel/update_balance').set(auth).expect(200);
    expect(res.body.success).toBe(true);
    await waitUntil(async () => (await (h as AdminHarness).http().get('/api/channel/jobs').set(auth)).body.data.update_balance_all.last !== undefined, 20_000, 'the balance run');
    const after = await h.http().get('/api/channel/jobs').set(auth).expect(200);
    expect(after.body.data.update_balance_all).toMatchObject({ running: false, last: { success: true } });
    expect(after.body.data.update_balance_all.last.total).toBeGreaterThan(0);
  });
});
