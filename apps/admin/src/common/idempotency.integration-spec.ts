import { LogType, RedemptionStatus, Role } from '@oneapi/domain';
import { describeOnEachDb, type AdminHarness, type TestUser } from '../testing/admin-harness';

/** Idempotency-Key on the quota-changing routes: a retry answers the first result and changes nothing. */
describeOnEachDb('Idempotency-Key on POST /api/topup, POST /api/user/topup and PUT /api/user', (get) => {
  let admin: TestUser;
  let otherAdmin: TestUser;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
    otherAdmin = await h.createUser({ role: Role.Admin });
  });

  const as = (u: TestUser) => ({ Authorization: u.accessToken });
  const quotaOf = async (h: AdminHarness, id: number) => Number((await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [id]))[0]?.quota);
  const topUpLogs = async (h: AdminHarness, id: number) =>
    Number((await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE user_id = ? AND type = ?', [id, LogType.Topup]))[0]?.n);
  const generate = async (h: AdminHarness, quota: number): Promise<string> => {
    const res = await h.http().post('/api/redemption').set(as(admin)).send({ name: 'idem', quota, count: 1 }).expect(200);
    return res.body.data[0] as string;
  };

  it('POST /api/topup retried with the same key credits once and answers the same', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 5 });
    const send = (key: string, by = admin) => h.http().post('/api/topup').set(as(by)).set('Idempotency-Key', key).send({ user_id: u.id, quota: 100 });
    const first = await send('topup-1').expect(200);
    const retry = await send('topup-1').expect(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await quotaOf(h, u.id)).toBe(105);
    expect(await topUpLogs(h, u.id)).toBe(1);

    // A new key is a new top-up; keys belong to their caller, so another admin's "topup-1" is new too.
    await send('topup-2').expect(200);
    await send('topup-1', otherAdmin).expect(200);
    expect(await quotaOf(h, u.id)).toBe(305);
    const rows = await h.sql<{ scope: string; status: number }>('SELECT scope, status FROM idempotency_keys WHERE scope LIKE ?', [`%:POST /api/topup:topup-1`]);
    expect(rows.map((r) => [r.scope, Number(r.status)]).sort()).toEqual([[`${admin.id}:POST /api/topup:topup-1`, 200], [`${otherAdmin.id}:POST /api/topup:topup-1`, 200]].sort());
  });

  it('keys are case-sensitive: "Case-A" and "case-a" are two top-ups on every database', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const send = (key: string) => h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', key).send({ user_id: u.id, quota: 10 });
    const upper = await send(`Case-${u.id}`).expect(200);
    const lower = await send(`case-${u.id}`).expect(200);
    expect(upper.headers['idempotent-replayed']).toBeUndefined();
    expect(lower.headers['idempotent-replayed']).toBeUndefined();
    expect(await quotaOf(h, u.id)).toBe(20);
    expect(await topUpLogs(h, u.id)).toBe(2);
  });

  it('POST /api/topup: concurrent duplicates credit once and all get the stored answer', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', `race-${u.id}`).send({ user_id: u.id, quota: 70 })),
    );
    // 409 is allowed only while the winner is still running; the credit happens once either way.
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of ok) expect(r.body).toEqual({ success: true, message: '' });
    expect(await quotaOf(h, u.id)).toBe(70);
    expect(await topUpLogs(h, u.id)).toBe(1);
  });

  it('an empty or over-128-character key is 400 in the /api error shape and changes nothing', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    for (const key of ['', '   ', 'k'.repeat(129)]) {
      const res = await h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', key).send({ user_id: u.id, quota: 10 });
      expect([res.status, res.body.success, res.body.code, res.body.data]).toEqual([400, false, 'bad_request', null]);
      expect(res.body.message).toMatch(/Idempotency-Key/);
    }
    const code = await generate(h, 10);
    const redeem = await h.http().post('/api/user/topup').set(as(u)).set('Idempotency-Key', 'x'.repeat(200)).send({ key: code });
    expect([redeem.status, redeem.body.code]).toEqual([400, 'bad_request']);
    expect(await quotaOf(h, u.id)).toBe(0);
    await h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'k'.repeat(128)).send({ user_id: u.id, quota: 10 }).expect(200);
    expect(await quotaOf(h, u.id)).toBe(10);
  });

  it('POST /api/user/topup retried with the same key redeems once and answers the same', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 1 });
    const code = await generate(h, 300);
    const send = (key: string) => h.http().post('/api/user/topup').set(as(u)).set('Idempotency-Key', key).send({ key: code });
    const first = await send('redeem-1').expect(200);
    expect(first.body).toEqual({ success: true, message: '', data: 300 });
    const retry = await send('redeem-1').expect(200);
    expect(retry.body).toEqual(first.body);
    expect(await quotaOf(h, u.id)).toBe(301);
    expect(await topUpLogs(h, u.id)).toBe(1);
    const used = await h.sql<{ status: number; used_by: number }>('SELECT status, used_by FROM redemptions WHERE `key` = ?', [code]);
    expect([Number(used[0]?.status), Number(used[0]?.used_by)]).toEqual([RedemptionStatus.Used, u.id]);
    // Without the key (or with another) the code is simply used up.
    const again = await send('redeem-2').expect(400);
    expect(again.body.message).toMatch(/already been used/);
  });

  it('POST /api/user/topup: concurrent duplicates redeem once', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const code = await generate(h, 450);
    const results = await Promise.all(Array.from({ length: 10 }, () => h.http().post('/api/user/topup').set(as(u)).set('Idempotency-Key', 'redeem-race').send({ key: code })));
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    for (const r of results.filter((x) => x.status === 200)) expect(r.body).toEqual({ success: true, message: '', data: 450 });
    expect(await quotaOf(h, u.id)).toBe(450);
    expect(await topUpLogs(h, u.id)).toBe(1);
  });

  it('a failed call stores nothing: the same key later runs the call', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const unknown = await h.http().post('/api/user/topup').set(as(u)).set('Idempotency-Key', 'after-typo').send({ key: 'f'.repeat(32) }).expect(400);
    expect(unknown.body.message).toMatch(/invalid/);
    const code = await generate(h, 25);
    await h.http().post('/api/user/topup').set(as(u)).set('Idempotency-Key', 'after-typo').send({ key: code }).expect(200);
    await h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'missing-user').send({ user_id: 99_999_999, quota: 5 }).expect(404);
    await h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'missing-user').send({ user_id: 99_999_999, quota: 5 }).expect(404);
    expect(await quotaOf(h, u.id)).toBe(25);
  });

  it('PUT /api/user retried with the same key does not reset the quota spent meanwhile', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 5 });
    const send = () => h.http().put('/api/user').set(as(admin)).set('Idempotency-Key', 'edit-1').send({ id: u.id, quota: 1000, display_name: 'Edited' });
    const first = await send().expect(200);
    expect(first.body.data).toMatchObject({ id: u.id, quota: 1000, display_name: 'Edited' });
    // The relay bills 40 between the first call and its retry.
    await h.sql('UPDATE users SET quota = quota - 40, used_quota = used_quota + 40 WHERE id = ?', [u.id]);
    const retry = await send().expect(200);
    expect(retry.body).toEqual(first.body);
    expect(await quotaOf(h, u.id)).toBe(960);
    const manageLogs = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE user_id = ? AND type = ?', [u.id, LogType.Manage]);
    expect(Number(manageLogs[0]?.n)).toBe(1);
    // The same key on another route is another key.
    await h.http().post('/api/topup').set(as(admin)).set('Idempotency-Key', 'edit-1').send({ user_id: u.id, quota: 40 }).expect(200);
    expect(await quotaOf(h, u.id)).toBe(1000);
  });
});
