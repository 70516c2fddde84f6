import type { CacheEvent } from '@oneapi/cache';
import { TokenStatus } from '@oneapi/domain';
import { describeOnEachDb, type TestUser } from '../testing/admin-harness';
import { waitFor } from '../testing/wait-for';

describeOnEachDb('/api/token', (get) => {
  let alice: TestUser;
  let bob: TestUser;
  const events: CacheEvent[] = [];

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    alice = await h.createUser();
    bob = await h.createUser();
    h.runtime.bus.subscribe((e) => events.push(e));
  });

  const auth = (u: TestUser) => ({ Authorization: u.accessToken });

  it('POST /api/token/ creates a token with a 48-character key returned to its owner', async () => {
    const h = get();
    if (!h) return;
    const res = await h.http().post('/api/token').set(auth(alice)).send({ name: 'ci', remain_quota: 1000, models: 'gpt-4o, gpt-4o,o1', subnet: '10.0.0.0/8, 192.168.1.0/24' }).expect(200);
    expect(res.body).toMatchObject({ success: true, data: { user_id: alice.id, name: 'ci', status: TokenStatus.Enabled, remain_quota: 1000, unlimited_quota: false, expired_time: -1, models: 'gpt-4o,o1', subnet: '10.0.0.0/8,192.168.1.0/24' } });
    expect(res.body.data.key).toMatch(/^[A-Za-z0-9]{48}$/);
    const rows = await h.sql<{ key: string }>('SELECT `key` FROM tokens WHERE id = ?', [res.body.data.id]);
    expect(rows[0]?.key).toBe(res.body.data.key);
    await waitFor(() => events.some((e) => e.topic === 'token' && e.id === res.body.data.key));
  });

  it('lists, searches and gets only the caller’s own tokens; a foreign id is 404', async () => {
    const h = get();
    if (!h) return;
    const bobs = await h.http().post('/api/token').set(auth(bob)).send({ name: 'bob-secret', unlimited_quota: true }).expect(200);
    for (let i = 0; i < 3; i++) await h.http().post('/api/token').set(auth(alice)).send({ name: `page-${i}` }).expect(200);

    const page = await h.http().get('/api/token?p=0&page_size=2').set(auth(alice)).expect(200);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.total).toBe(4);
    expect(page.body.data.every((t: { user_id: number }) => t.user_id === alice.id)).toBe(true);
    const page2 = await h.http().get('/api/token').query({ p: 1, page_size: 2 }).set(auth(alice)).expect(200);
    expect(page2.body.data).toHaveLength(2);

    const search = await h.http().get('/api/token/search').query({ keyword: 'page-' }).set(auth(alice)).expect(200);
    expect(search.body.data.map((t: { name: string }) => t.name).sort()).toEqual(['page-0', 'page-1', 'page-2']);
    const foreignSearch = await h.http().get('/api/token/search').query({ keyword: 'bob' }).set(auth(alice)).expect(200);
    expect(foreignSearch.body.data).toEqual([]);

    await h.http().get(`/api/token/${bobs.body.data.id}`).set(auth(alice)).expect(404);
    await h.http().get('/api/token/999999').set(auth(alice)).expect(404);
    await h.http().put('/api/token').set(auth(alice)).send({ id: bobs.body.data.id, name: 'stolen' }).expect(404);
    await h.http().delete(`/api/token/${bobs.body.data.id}`).set(auth(alice)).expect(404);
    const mine = await h.http().get(`/api/token/${bobs.body.data.id}`).set(auth(bob)).expect(200);
    expect(mine.body.data.name).toBe('bob-secret');
  });

  it('PUT /api/token/ updates fields, and status_only toggles status only', async () => {
    const h = get();
    if (!h) return;
    const created = await h.http().post('/api/token').set(auth(alice)).send({ name: 'edit-me', remain_quota: 5 }).expect(200);
    const id = created.body.data.id;
    const updated = await h.http().put('/api/token').set(auth(alice)).send({ id, name: 'edited', remain_quota: 50, models: 'gpt-4o' }).expect(200);
    expect(updated.body.data).toMatchObject({ id, name: 'edited', remain_quota: 50, models: 'gpt-4o', key: created.body.data.key });

    const disabled = await h.http().put('/api/token?status_only=1').set(auth(alice)).send({ id, status: TokenStatus.Disabled, name: 'ignored' }).expect(200);
    expect(disabled.body.data).toMatchObject({ status: TokenStatus.Disabled, name: 'edited' });
    const enabled = await h.http().put('/api/token?status_only=1').set(auth(alice)).send({ id, status: TokenStatus.Enabled }).expect(200);
    expect(enabled.body.data.status).toBe(TokenStatus.Enabled);
  });

  it('refuses to enable an expired or exhausted token, with a clear message', async () => {
    const h = get();
    if (!h) return;
    const created = await h.http().post('/api/token').set(auth(alice)).send({ name: 'old', remain_quota: 10 }).expect(200);
    const id = created.body.data.id;
    await h.sql('UPDATE tokens SET status = ?, expired_time = ? WHERE id = ?', [TokenStatus.Expired, 1000, id]);
    const expired = await h.http().put('/api/token?status_only=1').set(auth(alice)).send({ id, status: TokenStatus.Enabled }).expect(400);
    expect(expired.body).toMatchObject({ success: false, message: expect.stringMatching(/expired/) });

    await h.sql('UPDATE tokens SET status = ?, expired_time = -1, remain_quota = 0 WHERE id = ?', [TokenStatus.Exhausted, id]);
    const exhausted = await h.http().put('/api/token?status_only=1').set(auth(alice)).send({ id, status: TokenStatus.Enabled }).expect(400);
    expect(exhausted.body.message).toMatch(/quota/);
    const row = await h.sql<{ status: number }>('SELECT status FROM tokens WHERE id = ?', [id]);
    expect(Number(row[0]?.status)).toBe(TokenStatus.Exhausted);

    // Raising the quota in a full update makes the exhausted token usable again.
    const refilled = await h.http().put('/api/token').set(auth(alice)).send({ id, remain_quota: 100 }).expect(200);
    expect(refilled.body.data.status).toBe(TokenStatus.Enabled);
  });

  it('rejects bad input with 400 naming the field and changes nothing', async () => {
    const h = get();
    if (!h) return;
    const before = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM tokens');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'x'.repeat(31) }, /name/],
      [{ name: 'ok', remain_quota: -1 }, /remain_quota/],
      [{ name: 'ok', remain_quota: '100' }, /remain_quota/],
      [{ name: 'ok', subnet: '10.0.0.1' }, /subnet/],
      [{ name: 'ok', subnet: '10.0.0.0/33' }, /subnet/],
      [{ name: 'ok', expired_time: 1000 }, /expired_time/],
      [{ name: 'ok', unlimited_quota: 'yes' }, /unlimited_quota/],
    ];
    for (const [body, message] of cases) {
      const res = await h.http().post('/api/token').set(auth(alice)).send(body).expect(400);
      expect(res.body).toMatchObject({ success: false, message: expect.stringMatching(message) });
    }
    const malformed = await h.http().post('/api/token').set(auth(alice)).set('content-type', 'application/json').send('{"name":').expect(400);
    expect(malformed.body.success).toBe(false);
    await h.http().get('/api/token/abc').set(auth(alice)).expect(400);
    await h.http().get('/api/token?p=x').set(auth(alice)).expect(400);
    await h.http().put('/api/token?status_only=1').set(auth(alice)).send({ id: 1, status: 3 }).expect(400);
    const after = await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM tokens');
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n));
  });

  it('DELETE /api/token/:id deletes the token and publishes its key', async () => {
    const h = get();
    if (!h) return;
    const created = await h.http().post('/api/token').set(auth(alice)).send({ name: 'bye' }).expect(200);
    events.length = 0;
    await h.http().delete(`/api/token/${created.body.data.id}`).set(auth(alice)).expect(200);
    await h.http().get(`/api/token/${created.body.data.id}`).set(auth(alice)).expect(404);
    await waitFor(() => events.some((e) => e.topic === 'token' && e.id === created.body.data.key));
  });

  it('answers One API’s trailing-slash paths (/api/token/?p=0)', async () => {
    const h = get();
    if (!h) return;
    const created = await h.http().post('/api/token/').set(auth(alice)).send({ name: 'slash' }).expect(200);
    const list = await h.http().get('/api/token/?p=0&page_size=100').set(auth(alice)).expect(200);
    expect(list.body.data.map((t: { id: number }) => t.id)).toContain(created.body.data.id);
    await h.http().put('/api/token/?status_only=1').set(auth(alice)).send({ id: created.body.data.id, status: TokenStatus.Disabled }).expect(200);
  });

  it('requires a logged-in user', async () => {
    const h = get();
    if (!h) return;
    await h.http().get('/api/token').expect(401);
    await h.http().post('/api/token').send({ name: 'x' }).expect(401);
  });
});
