import { LogType, RedemptionStatus, Role } from '@oneapi/domain';
import type { CacheEvent } from '@oneapi/cache';
import { describeOnEachDb, type TestUser } from '../testing/admin-harness';
import { waitFor } from '../testing/wait-for';

describeOnEachDb('/api/redemption and POST /api/user/topup', (get) => {
  let admin: TestUser;
  let user: TestUser;
  const events: CacheEvent[] = [];

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
    user = await h.createUser({ quota: 10 });
    h.runtime.bus.subscribe((e) => events.push(e));
  });

  const as = (u: TestUser) => ({ Authorization: u.accessToken });
  const harness = () => {
    const h = get();
    if (!h) throw new Error('no harness');
    return h;
  };
  const quotaOf = async (id: number) => Number((await harness().sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [id]))[0]?.quota);
  const generate = async (name: string, quota: number, count: number): Promise<string[]> => {
    const res = await harness().http().post('/api/redemption').set(as(admin)).send({ name, quota, count }).expect(200);
    return res.body.data as string[];
  };

  it('POST generates 1..100 codes and answers their keys; list, search and get show them', async () => {
    const h = get();
    if (!h) return;
    const keys = await generate('spring', 500, 3);
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    const rows = await h.sql<{ key: string; user_id: number; quota: number; status: number }>('SELECT `key`, user_id, quota, status FROM redemptions WHERE name = ?', ['spring']);
    expect(rows.map((r) => r.key).sort()).toEqual([...keys].sort());
    expect(rows.every((r) => Number(r.user_id) === admin.id && Number(r.quota) === 500 && Number(r.status) === RedemptionStatus.Enabled)).toBe(true);

    const list = await h.http().get('/api/redemption').query({ p: 0, page_size: 2 }).set(as(admin)).expect(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.total).toBeGreaterThanOrEqual(3);
    const search = await h.http().get('/api/redemption/search').query({ keyword: 'spri' }).set(as(admin)).expect(200);
    expect(search.body.data).toHaveLength(3);
    const one = await h.http().get(`/api/redemption/${search.body.data[0].id}`).set(as(admin)).expect(200);
    expect(one.body.data).toMatchObject({ name: 'spring', quota: 500, status: 1, used_by: 0 });
    await h.http().get('/api/redemption/999999').set(as(admin)).expect(404);
  });

  it('rejects bad input with 400 naming the field and creates nothing', async () => {
    const h = get();
    if (!h) return;
    const before = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM redemptions');
    for (const [body, field] of [
      [{ name: 'x', quota: 1, count: 0 }, /count/],
      [{ name: 'x', quota: 1, count: 101 }, /count/],
      [{ name: 'x', quota: 1, count: '5' }, /count/],
      [{ name: '', quota: 1, count: 1 }, /name/],
      [{ name: 'x', quota: -5, count: 1 }, /quota/],
      [{ name: 'x', count: 1 }, /quota/],
    ] as const) {
      const res = await h.http().post('/api/redemption').set(as(admin)).send(body);
      expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(field)]);
    }
    const after = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM redemptions');
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n));
  });

  it('GET /export answers the batch as CSV', async () => {
    const h = get();
    if (!h) return;
    const keys = await generate('csv,"batch"', 42, 2);
    const res = await h.http().get('/api/redemption/export').query({ name: 'csv,"batch"' }).set(as(admin)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="redemptions-csv_batch_.csv"/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,name,key,quota,status,created_time,redeemed_time,used_by');
    expect(lines).toHaveLength(3);
    for (const k of keys) expect(res.text).toContain(`,"csv,""batch""",${k},42,1,`);
    await h.http().get('/api/redemption/export').query({ name: 'no-such-batch' }).set(as(admin)).expect(404);
    await h.http().get('/api/redemption/export').set(as(admin)).expect(400);
  });

  it('PUT changes name/quota, status_only toggles status; DELETE removes', async () => {
    const h = get();
    if (!h) return;
    const [key] = await generate('edit', 1, 1);
    const id = Number((await h.sql<{ id: number }>('SELECT id FROM redemptions WHERE `key` = ?', [key]))[0]?.id);
    const upd = await h.http().put('/api/redemption').set(as(admin)).send({ id, name: 'edited', quota: 77 }).expect(200);
    expect(upd.body.data).toMatchObject({ id, name: 'edited', quota: 77, status: 1 });
    const dis = await h.http().put('/api/redemption?status_only=1').set(as(admin)).send({ id, status: RedemptionStatus.Disabled, quota: 1 }).expect(200);
    expect(dis.body.data).toMatchObject({ status: 2, quota: 77 });

    // A disabled code cannot be redeemed.
    const refused = await h.http().post('/api/user/topup').set(as(user)).send({ key }).expect(400);
    expect(refused.body.message).toMatch(/disabled/);
    await h.http().put('/api/redemption?status_only=1').set(as(admin)).send({ id, status: 3 }).expect(400);

    await h.http().delete(`/api/redemption/${id}`).set(as(admin)).expect(200);
    await h.http().delete(`/api/redemption/${id}`).set(as(admin)).expect(404);
  });

  it('POST /api/user/topup credits once, logs the top-up, and refuses a used or unknown code', async () => {
    const h = get();
    if (!h) return;
    const [key] = await generate('single', 300, 1);
    const before = await quotaOf(user.id);
    events.length = 0;
    const res = await h.http().post('/api/user/topup').set(as(user)).send({ key }).expect(200);
    expect(res.body).toMatchObject({ success: true, data: 300 });
    expect(await quotaOf(user.id)).toBe(before + 300);
    const row = await h.sql<{ status: number; used_by: number; redeemed_time: number }>('SELECT status, used_by, redeemed_time FROM redemptions WHERE `key` = ?', [key]);
    expect(row[0]).toMatchObject({});
    expect([Number(row[0]?.status), Number(row[0]?.used_by)]).toEqual([RedemptionStatus.Used, user.id]);
    expect(Number(row[0]?.redeemed_time)).toBeGreaterThan(0);
    const logs = await h.sql<{ type: number; quota: number; username: string }>('SELECT type, quota, username FROM logs WHERE user_id = ? AND type = ?', [user.id, LogType.Topup]);
    expect(logs.map((l) => [Number(l.quota), l.username])).toEqual([[300, user.username]]);
    await waitFor(() => events.some((e) => e.topic === 'user' && e.id === String(user.id)), 5000, 'a user cache event');

    const again = await h.http().post('/api/user/topup').set(as(user)).send({ key }).expect(400);
    expect(again.body.message).toMatch(/already been used/);
    const unknown = await h.http().post('/api/user/topup').set(as(user)).send({ key: 'f'.repeat(32) }).expect(400);
    expect(unknown.body.message).toMatch(/invalid/);
    await h.http().post('/api/user/topup').set(as(user)).send({}).expect(400);
    expect(await quotaOf(user.id)).toBe(before + 300);

    // Admins cannot change a used code.
    const id = Number((await h.sql<{ id: number }>('SELECT id FROM redemptions WHERE `key` = ?', [key]))[0]?.id);
    await h.http().put('/api/redemption').set(as(admin)).send({ id, quota: 1_000_000 }).expect(409);
  });

  it('50 clients redeeming one code concurrently: exactly one credit and one used row', async () => {
    const h = get();
    if (!h) return;
    const [key] = await generate('race', 1000, 1);
    const users = await Promise.all(Array.from({ length: 50 }, () => h.createUser({ quota: 0 })));
    const results = await Promise.all(users.map((u) => h.http().post('/api/user/topup').set(as(u)).send({ key })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && /already been used/.test(r.body.message))).toHaveLength(49);

    const ids = users.map((u) => u.id);
    const credited = await h.sql<{ id: number; quota: number }>(`SELECT id, quota FROM users WHERE id IN (${ids.map(() => '?').join(',')}) AND quota > 0`, ids);
    expect(credited.map((c) => Number(c.quota))).toEqual([1000]);
    const used = await h.sql<{ used_by: number }>('SELECT used_by FROM redemptions WHERE `key` = ? AND status = ?', [key, RedemptionStatus.Used]);
    expect(used.map((u) => Number(u.used_by))).toEqual([Number(credited[0]?.id)]);
    const logs = await h.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM logs WHERE type = ? AND user_id IN (${ids.map(() => '?').join(',')})`, [LogType.Topup, ...ids]);
    expect(Number(logs[0]?.n)).toBe(1);
  });

  it('redemption management is admin-only; topup needs a user', async () => {
    const h = get();
    if (!h) return;
    await h.http().get('/api/redemption').set(as(user)).expect(403);
    await h.http().post('/api/redemption').set(as(user)).send({ name: 'x', quota: 1, count: 1 }).expect(403);
    await h.http().get('/api/redemption/export').query({ name: 'spring' }).set(as(user)).expect(403);
    await h.http().post('/api/user/topup').send({ key: 'x' }).expect(401);
  });
});
