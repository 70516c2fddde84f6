import { LogType, Role, UserStatus } from '@oneapi/domain';
import type { CacheEvent } from '@oneapi/cache';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

describe.each(DB_KINDS)('user routes (%s)', (kind) => {
  let h: AdminHarness;
  let enabled = false;
  let admin: TestUser;
  const events: CacheEvent[] = [];

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (!enabled) return;
    h = await startAdminHarness(kind);
    h.runtime.bus.subscribe((e) => events.push(e));
    admin = await h.createUser({ role: Role.Admin });
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  const as = (u: TestUser) => ({ Authorization: u.accessToken });
  const userRow = async (id: number) => (await h.sql<{ role: number; status: number; quota: number; display_name: string; access_token: string | null; github_id: string }>('SELECT * FROM users WHERE id = ?', [id]))[0];
  /** Whether a `{topic:'user', id}` cache event arrived (the SQL-polling bus delivers within a poll). */
  const published = async (id: number) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (events.some((e) => e.topic === 'user' && e.id === String(id))) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };

  describe('self service', () => {
    it('GET /api/user/self shows the user without password hash or access token', async () => {
      if (!enabled) return;
      const u = await h.createUser({ quota: 42 });
      const res = await h.http().get('/api/user/self').set(as(u)).expect(200);
      expect(res.body.data).toMatchObject({ id: u.id, username: u.username, role: Role.Common, status: UserStatus.Enabled, quota: 42, group: 'default' });
      expect(res.body.data).not.toHaveProperty('password');
      expect(res.body.data).not.toHaveProperty('access_token');
      await h.http().get('/api/user/self').expect(401);
      await h.http().get('/api/user/self').set('Authorization', 'Bearer not-a-token').expect(401);
      await h.http().get('/api/user/self').set('Authorization', `Bearer ${u.accessToken}`).expect(200);
    });

    it('PUT /api/user/self changes display name and password (with the current one)', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'first-pass-1' });
      await h.http().put('/api/user/self').set(as(u)).send({ display_name: 'x'.repeat(21) }).expect(400);
      await h.http().put('/api/user/self').set(as(u)).send({ display_name: 'New Name', password: 'second-pass-2', original_password: 'first-pass-1' }).expect(200);
      expect((await userRow(u.id))?.display_name).toBe('New Name');
      await h.http().post('/api/user/login').send({ username: u.username, password: 'second-pass-2' }).expect(200);
      expect(await published(u.id)).toBe(true);
    });

    it('DELETE /api/user/self deletes a user but never root', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      await h.http().delete('/api/user/self').set(as(u)).expect(200);
      expect((await userRow(u.id))?.status).toBe(UserStatus.Deleted);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      await h.http().delete('/api/user/self').set(as(h.root)).expect(403);
    });

    it('GET /api/user/token answers the access token, POST replaces it; /api/user/aff answers the invite code', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      const res = await h.http().get('/api/user/token').set(as(u)).expect(200);
      expect(res.body.data).toBe(u.accessToken);
      const viaPost = await h.http().post('/api/user/token').set(as(u)).expect(200);
      expect(viaPost.body.data).toMatch(/^[0-9a-f]{32}$/);
      expect(viaPost.body.data).not.toBe(u.accessToken);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      const aff = await h.http().get('/api/user/aff').set('Authorization', viaPost.body.data).expect(200);
      expect(aff.body.data).toMatch(/^[A-Za-z0-9]{4,8}$/);
    });
  });

  describe('admin user management', () => {
    it('GET /api/user/ pages users with total and never returns hashes', async () => {
      if (!enabled) return;
      for (let i = 0; i < 3; i++) await h.createUser({ password: 'listed-pass' });
      const res = await h.http().get('/api/user/').query({ p: 0, page_size: 2 }).set(as(admin)).expect(200);
      expect(res.body.data).toHaveLength(2);
      const [{ n }] = (await h.sql<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE status <> 3')) as [{ n: number }];
      expect(res.body.total).toBe(Number(n));
      const page2 = await h.http().get('/api/user/?p=1&page_size=2').set(as(admin)).expect(200);
      expect(page2.body.data[0].id).toBeLessThan(res.body.data[1].id);
      expect(JSON.stringify([res.body, page2.body])).not.toMatch(/\$2[aby]\$|access_token/);
      await h.http().get('/api/user/').query({ page_size: 'x' }).set(as(admin)).expect(400);
    });

    it('GET /api/user/search finds by username, display name or id', async () => {
      if (!enabled) return;
      const u = await h.createUser({ username: 'findme_zz' });
      const res = await h.http().get('/api/user/search').query({ keyword: 'findme' }).set(as(admin)).expect(200);
      expect(res.body.data.map((x: { id: number }) => x.id)).toEqual([u.id]);
      const byId = await h.http().get('/api/user/search').query({ keyword: String(u.id) }).set(as(admin)).expect(200);
      expect(byId.body.data.map((x: { id: number }) => x.id)).toContain(u.id);
      const none = await h.http().get('/api/user/search').query({ keyword: '100%_' }).set(as(admin)).expect(200);
      expect(none.body.data).toEqual([]);
    });

    it('GET /api/user/:id shows a lower role, 403 for an equal or higher one, 404 when missing', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      const other = await h.createUser({ role: Role.Admin });
      const res = await h.http().get(`/api/user/${u.id}`).set(as(admin)).expect(200);
      expect(res.body.data).toMatchObject({ id: u.id, username: u.username });
      expect(res.body.data).not.toHaveProperty('password');
      await h.http().get(`/api/user/${other.id}`).set(as(admin)).expect(403);
      await h.http().get(`/api/user/${other.id}`).set(as(h.root)).expect(200);
      await h.http().get('/api/user/999999').set(as(admin)).expect(404);
      await h.http().get('/api/user/abc').set(as(admin)).expect(400);
    });

    it('POST /api/user/ creates a common user; duplicate 409, bad input 400', async () => {
      if (!enabled) return;
      const res = await h.http().post('/api/user/').set(as(admin)).send({ username: 'created1', password: 'created-pass', display_name: 'Created', role: Role.Root }).expect(200);
      expect(res.body.data).toMatchObject({ username: 'created1', display_name: 'Created', role: Role.Common });
      await h.http().post('/api/user/login').send({ username: 'created1', password: 'created-pass' }).expect(200);
      await h.http().post('/api/user/').set(as(admin)).send({ username: 'created1', password: 'created-pass' }).expect(409);
      const bad = await h.http().post('/api/user/').set(as(admin)).send({ username: 'created2' }).expect(400);
      expect(bad.body.message).toMatch(/password/);
    });

    it('PUT /api/user/ updates profile and quota (with a manage log); refuses equal roles', async () => {
      if (!enabled) return;
      const u = await h.createUser({ quota: 100 });
      const res = await h.http().put('/api/user/').set(as(admin)).send({ id: u.id, display_name: 'Edited', quota: 5000, group: 'vip', password: '' }).expect(200);
      expect(res.body.data).toMatchObject({ display_name: 'Edited', quota: 5000, group: 'vip' });
      const logs = await h.sql<{ type: number }>('SELECT type FROM logs WHERE user_id = ?', [u.id]);
      expect(logs.map((l) => Number(l.type))).toEqual([LogType.Manage]);
      const peer = await h.createUser({ role: Role.Admin });
      await h.http().put('/api/user/').set(as(admin)).send({ id: peer.id, display_name: 'nope' }).expect(403);
      await h.http().put('/api/user/').set(as(admin)).send({ id: 999999, display_name: 'nope' }).expect(404);
      await h.http().put('/api/user/').set(as(admin)).send({ id: u.id, quota: -1 }).expect(400);
      expect(await published(u.id)).toBe(true);
    });

    it('DELETE /api/user/:id deletes a lower role; 403 for equal, 404 for missing', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      await h.http().delete(`/api/user/${u.id}`).set(as(admin)).expect(200);
      await h.http().get(`/api/user/${u.id}`).set(as(admin)).expect(404);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      const peer = await h.createUser({ role: Role.Admin });
      await h.http().delete(`/api/user/${peer.id}`).set(as(admin)).expect(403);
      await h.http().delete(`/api/user/${h.root.id}`).set(as(admin)).expect(403);
      await h.http().delete('/api/user/999999').set(as(admin)).expect(404);
    });

    it('POST /api/user/manage follows One API rules', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      const manage = (actor: TestUser, username: string, action: string) => h.http().post('/api/user/manage').set(as(actor)).send({ username, action });
      const disabled = await manage(admin, u.username, 'disable').expect(200);
      expect(disabled.body.data).toEqual({ role: Role.Common, status: UserStatus.Disabled });
      expect(await published(u.id)).toBe(true);
      await h.http().get('/api/user/self').set(as(u)).expect(403);
      await manage(admin, u.username, 'enable').expect(200);
      await h.http().get('/api/user/self').set(as(u)).expect(200);
      await manage(admin, u.username, 'promote').expect(403);
      const promoted = await manage(h.root, u.username, 'promote').expect(200);
      expect(promoted.body.data.role).toBe(Role.Admin);
      await manage(h.root, u.username, 'promote').expect(409);
      await manage(admin, u.username, 'disable').expect(403);
      await manage(h.root, u.username, 'demote').expect(200);
      await manage(h.root, u.username, 'demote').expect(409);
      await manage(h.root, 'root', 'disable').expect(403);
      await manage(h.root, 'root', 'delete').expect(403);
      await manage(h.root, 'root', 'demote').expect(403);
      await manage(admin, 'root', 'disable').expect(403);
      await manage(admin, 'no-such-user', 'disable').expect(404);
      await manage(admin, u.username, 'explode').expect(400);
      await manage(admin, u.username, 'delete').expect(200);
      expect((await userRow(u.id))?.status).toBe(UserStatus.Deleted);
    });

    it('POST /api/topup credits the quota with a top-up log', async () => {
      if (!enabled) return;
      const u = await h.createUser({ quota: 10 });
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: 990, remark: 'invoice 42' }).expect(200);
      expect(Number((await userRow(u.id))?.quota)).toBe(1000);
      const logs = await h.sql<{ type: number; content: string; quota: number }>('SELECT type, content, quota FROM logs WHERE user_id = ?', [u.id]);
      expect(logs).toEqual([expect.objectContaining({ type: LogType.Topup, content: 'invoice 42' })]);
      expect(Number(logs[0]?.quota)).toBe(990);
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: 5 }).expect(200);
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: 999999, quota: 5 }).expect(404);
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: 0 }).expect(400);
      await h.http().post('/api/topup').set(as(admin)).send({ user_id: u.id, quota: '5' }).expect(400);
      expect(Number((await userRow(u.id))?.quota)).toBe(1005);
    });
  });

  describe('role matrix', () => {
    let common: TestUser;
    let target: TestUser;

    beforeAll(async () => {
      if (!enabled) return;
      common = await h.createUser();
      target = await h.createUser();
    });

    type Who = 'anonymous' | 'common' | 'admin' | 'root';
    // [method, path, body, expected status for anonymous, common, admin, root]
    const routes: Array<[string, string | (() => string), object | undefined, number, number, number, number]> = [
      ['get', '/api/user/?p=0', undefined, 401, 403, 200, 200],
      ['get', '/api/user/search?keyword=zz', undefined, 401, 403, 200, 200],
      ['get', () => `/api/user/${target.id}`, undefined, 401, 403, 200, 200],
      ['post', '/api/user/', {}, 401, 403, 400, 400],
      ['put', '/api/user/', {}, 401, 403, 400, 400],
      ['delete', '/api/user/999999', undefined, 401, 403, 404, 404],
      ['post', '/api/user/manage', { username: 'nobody-x', action: 'enable' }, 401, 403, 404, 404],
      ['post', '/api/topup', { user_id: 999999, quota: 1 }, 401, 403, 404, 404],
      ['get', '/api/option/', undefined, 401, 403, 403, 200],
      ['put', '/api/option/', { key: 'NoSuchOption', value: '1' }, 401, 403, 403, 400],
      ['get', '/api/user/self', undefined, 401, 200, 200, 200],
      ['get', '/api/user/aff', undefined, 401, 200, 200, 200],
    ];
    const cases = routes.flatMap(([method, path, body, ...statuses]) =>
      (['anonymous', 'common', 'admin', 'root'] as Who[]).map((who, i) => ({ method, path, body, who, status: statuses[i] as number })),
    );

    it.each(cases)('$method $path as $who → $status', async ({ method, path, body, who, status }) => {
      if (!enabled) return;
      const url = typeof path === 'function' ? path() : path;
      const actor = { anonymous: undefined, common, admin, root: h.root }[who];
      const agent = h.http() as unknown as Record<string, (u: string) => import('supertest').Test>;
      const send = agent[method];
      if (!send) throw new Error(`no supertest method ${method}`);
      let req = send.call(agent, url);
      if (actor) req = req.set('Authorization', actor.accessToken);
      const res = await (body ? req.send(body) : req);
      expect(res.status).toBe(status);
      expect(res.body.success).toBe(status === 200);
    });
  });
});
