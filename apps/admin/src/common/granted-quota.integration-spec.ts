import { Role } from '@oneapi/domain';
import { describeOnEachDb, type AdminHarness, type TestUser } from '../testing/admin-harness';

/**
 * SPEC section 13: every admin path that changes a balance moves granted_quota with it, so
 * `quota + used_quota (+ held) = granted_quota` for users and `remain_quota + used_quota (+ held)
 * = granted_quota` for limited tokens. The relay's moves are simulated with the same SQL shape
 * (balance → used), which leaves granted_quota alone.
 */
describeOnEachDb('granted_quota on POST /api/user, register, top-ups, PUT /api/user and /api/token', (get) => {
  let admin: TestUser;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
  });
  afterEach(async () => {
    const h = get();
    if (!h) return;
    for (const k of ['QuotaForNewUser', 'QuotaForInviter', 'QuotaForInvitee']) await h.runtime.options.set(k, '0');
  });

  const as = (u: TestUser | string) => ({ Authorization: typeof u === 'string' ? u : u.accessToken });
  type Account = { quota: number; used: number; granted: number };
  const user = async (h: AdminHarness, id: number): Promise<Account> => {
    const [r] = await h.sql<{ quota: number; used_quota: number; granted_quota: number }>('SELECT quota, used_quota, granted_quota FROM users WHERE id = ?', [id]);
    return { quota: Number(r?.quota), used: Number(r?.used_quota), granted: Number(r?.granted_quota) };
  };
  const token = async (h: AdminHarness, id: number): Promise<Account> => {
    const [r] = await h.sql<{ remain_quota: number; used_quota: number; granted_quota: number }>('SELECT remain_quota, used_quota, granted_quota FROM tokens WHERE id = ?', [id]);
    return { quota: Number(r?.remain_quota), used: Number(r?.used_quota), granted: Number(r?.granted_quota) };
  };
  /** Rows breaking the rule (no reservations are in flight in these tests). */
  const drift = async (h: AdminHarness) => [
    ...(await h.sql<{ id: number }>('SELECT id FROM users WHERE quota + used_quota <> granted_quota')).map((r) => `user ${r.id}`),
    ...(await h.sql<{ id: number }>('SELECT id FROM tokens WHERE unlimited_quota = 0 AND remain_quota + used_quota <> granted_quota')).map((r) => `token ${r.id}`),
  ];
  const relayBillsUser = (h: AdminHarness, id: number, amount: number) => h.sql('UPDATE users SET quota = quota - ?, used_quota = used_quota + ? WHERE id = ?', [amount, amount, id]);

  it('POST /api/user grants QuotaForNewUser', async () => {
    const h = get();
    if (!h) return;
    await h.runtime.options.set('QuotaForNewUser', '700');
    const res = await h.http().post('/api/user').set(as(admin)).send({ username: 'granted1', password: 'granted-pass-1' }).expect(200);
    expect(await user(h, res.body.data.id)).toEqual({ quota: 700, used: 0, granted: 700 });
    expect(await drift(h)).toEqual([]);
  });

  it('POST /api/user/register with an aff code grants the invitee and the inviter their bonuses', async () => {
    const h = get();
    if (!h) return;
    await h.runtime.options.set('QuotaForNewUser', '50');
    await h.runtime.options.set('QuotaForInvitee', '200');
    await h.runtime.options.set('QuotaForInviter', '300');
    const inviter = await h.createUser({ quota: 10 });
    await relayBillsUser(h, inviter.id, 4);
    const [row] = await h.sql<{ aff_code: string }>('SELECT aff_code FROM users WHERE id = ?', [inviter.id]);
    const res = await h.http().post('/api/user/register').send({ username: 'invitee9', password: 'invitee-pass', aff_code: row?.aff_code }).expect(200);
    expect(await user(h, res.body.data.id)).toEqual({ quota: 250, used: 0, granted: 250 });
    expect(await user(h, inviter.id)).toEqual({ quota: 306, used: 4, granted: 310 });
    expect(await drift(h)).toEqual([]);
  });

  it('POST /api/topup and POST /api/user/topup add to granted_quota', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 100 });
    await relayBillsUser(h, u.id, 30);
    await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: 500 }).expect(200);
    expect(await user(h, u.id)).toEqual({ quota: 570, used: 30, granted: 600 });
    const codes = await h.http().post('/api/redemption').set(as(admin)).send({ name: 'granted', quota: 250, count: 1 }).expect(200);
    await h.http().post('/api/user/topup').set(as(u)).send({ key: codes.body.data[0] }).expect(200);
    expect(await user(h, u.id)).toEqual({ quota: 820, used: 30, granted: 850 });
    expect(await drift(h)).toEqual([]);
  });

  it('PUT /api/user moves granted_quota by the change of quota, with usage recorded before it', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 1000 });
    await relayBillsUser(h, u.id, 400);
    await h.http().put('/api/user').set(as(admin)).send({ id: u.id, quota: 200 }).expect(200);
    expect(await user(h, u.id)).toEqual({ quota: 200, used: 400, granted: 600 });
    await h.http().put('/api/user').set(as(admin)).send({ id: u.id, quota: 5000 }).expect(200);
    expect(await user(h, u.id)).toEqual({ quota: 5000, used: 400, granted: 5400 });
    // An edit that keeps the quota grants nothing.
    await h.http().put('/api/user').set(as(admin)).send({ id: u.id, quota: 5000, display_name: 'Same' }).expect(200);
    expect((await user(h, u.id)).granted).toBe(5400);
    expect(await drift(h)).toEqual([]);
  });

  it('POST /api/token and PUT /api/token keep a limited token’s granted_quota, also when it stops being unlimited', async () => {
    const h = get();
    if (!h) return;
    const u = await h.createUser({ quota: 0 });
    const limited = await h.http().post('/api/token').set(as(u)).send({ name: 'lim', remain_quota: 500 }).expect(200);
    const id = limited.body.data.id as number;
    expect(await token(h, id)).toEqual({ quota: 500, used: 0, granted: 500 });
    await h.sql('UPDATE tokens SET remain_quota = remain_quota - 120, used_quota = used_quota + 120 WHERE id = ?', [id]);
    await h.http().put('/api/token').set(as(u)).send({ id, remain_quota: 1000 }).expect(200);
    expect(await token(h, id)).toEqual({ quota: 1000, used: 120, granted: 1120 });
    await h.http().put('/api/token').set(as(u)).send({ id, remain_quota: 10, name: 'lim2' }).expect(200);
    expect(await token(h, id)).toEqual({ quota: 10, used: 120, granted: 130 });
    await h.http().put('/api/token?status_only=1').set(as(u)).send({ id, status: 2 }).expect(200);
    expect((await token(h, id)).granted).toBe(130);

    // An unlimited token's usage never came out of remain_quota; when it becomes limited its account starts at remain + used.
    const unlimited = await h.http().post('/api/token').set(as(u)).send({ name: 'unl', unlimited_quota: true }).expect(200);
    const uid = unlimited.body.data.id as number;
    await h.sql('UPDATE tokens SET used_quota = used_quota + 70 WHERE id = ?', [uid]);
    await h.http().put('/api/token').set(as(u)).send({ id: uid, unlimited_quota: false, remain_quota: 200 }).expect(200);
    expect(await token(h, uid)).toEqual({ quota: 200, used: 70, granted: 270 });
    expect(await drift(h)).toEqual([]);
  });
});
