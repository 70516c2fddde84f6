import request from 'supertest';
import { Role } from '@oneapi/domain';
import { startSmtpSink, type SmtpSink } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

/**
 * Issue 11: a password change (own, by an admin, by mail), a disable or a role change ends the
 * user's other sessions and access token at once; the self change needs the current password;
 * a signed-in change must come from the console's own page.
 */
describe.each(DB_KINDS)('sessions and access tokens (%s)', (kind) => {
  let h: AdminHarness;
  let smtp: SmtpSink;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (!enabled) return;
    smtp = await startSmtpSink();
    h = await startAdminHarness(kind);
    for (const [k, v] of Object.entries(smtp.options())) await h.runtime.options.set(k, v);
    await h.runtime.options.set('ServerAddress', 'https://gateway.example');
  });
  afterAll(async () => {
    if (!enabled) return;
    await h.close();
    await smtp.close();
  });

  /** The console's fetch marks every call so; see auth/request-origin.ts. */
  const OWN_PAGE = { 'X-Requested-With': 'XMLHttpRequest' };
  const as = (u: TestUser | string) => ({ Authorization: typeof u === 'string' ? u : u.accessToken });
  const row = async (id: number) => (await h.sql<Record<string, unknown>>('SELECT * FROM users WHERE id = ?', [id]))[0];
  async function signIn(username: string, password: string) {
    const agent = h.agent();
    await agent.post('/api/user/login').send({ username, password }).expect(200);
    return agent;
  }
  const selfStatus = async (agent: ReturnType<AdminHarness['agent']>) => (await agent.get('/api/user/self')).status;
  const manage = (username: string, action: string) => h.http().post('/api/user/manage').set(as(h.root)).send({ username, action });

  describe('PUT /api/user/self with a new password', () => {
    it('needs the current password: missing → 400, wrong → 403, and nothing changes', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      const session = await signIn(u.username, 'old-pass-123');
      const before = await row(u.id);
      await session.put('/api/user/self').send({ password: 'new-pass-456' }).expect(400);
      await session.put('/api/user/self').send({ password: 'new-pass-456', original_password: '' }).expect(400);
      await session.put('/api/user/self').send({ password: 'new-pass-456', original_password: 'not-my-pass' }).expect(403);
      await h.http().put('/api/user/self').set(as(u)).send({ password: 'new-pass-456' }).expect(400);
      await h.http().put('/api/user/self').set(as(u)).send({ password: 'new-pass-456', original_password: 'not-my-pass' }).expect(403);
      expect(await row(u.id)).toEqual(before);
      expect(await selfStatus(session)).toBe(200);
      await h.http().get('/api/user/self').set(as(u)).expect(200);
      await h.http().post('/api/user/login').send({ username: u.username, password: 'old-pass-123' }).expect(200);
      // A profile change without a new password needs none.
      await session.put('/api/user/self').send({ display_name: 'Renamed' }).expect(200);
    });

    it('ends every other session and the access token; the session that changed it stays signed in', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      const mine = await signIn(u.username, 'old-pass-123');
      const other = await signIn(u.username, 'old-pass-123');
      const stolenCookie = (await h.http().post('/api/user/login').send({ username: u.username, password: 'old-pass-123' }).expect(200)).headers['set-cookie'] as unknown as string[];
      await mine.put('/api/user/self').send({ password: 'new-pass-456', original_password: 'old-pass-123' }).expect(200);
      expect(await selfStatus(mine)).toBe(200);
      expect(await selfStatus(other)).toBe(401);
      await h.http().get('/api/user/self').set('Cookie', stolenCookie).expect(401);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      await h.http().post('/api/user/login').send({ username: u.username, password: 'old-pass-123' }).expect(401);
      // Signing in again anywhere revives nothing old.
      const fresh = await signIn(u.username, 'new-pass-456');
      expect(await selfStatus(fresh)).toBe(200);
      expect(await selfStatus(other)).toBe(401);
      await h.http().get('/api/user/self').set('Cookie', stolenCookie).expect(401);
      expect(await selfStatus(mine)).toBe(200);
    });

    it('through the access token rotates that token too', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      const session = await signIn(u.username, 'old-pass-123');
      await h.http().put('/api/user/self').set(as(u)).send({ password: 'new-pass-456', original_password: 'old-pass-123' }).expect(200);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      expect(await selfStatus(session)).toBe(401);
      const token = (await (await signIn(u.username, 'new-pass-456')).get('/api/user/token').expect(200)).body.data as string;
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      expect(token).not.toBe(u.accessToken);
      await h.http().get('/api/user/self').set(as(token)).expect(200);
    });
  });

  describe('admin changes end the user’s sessions', () => {
    it('PUT /api/user/ with a password ends every session and the access token', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      const session = await signIn(u.username, 'old-pass-123');
      await h.http().put('/api/user/').set(as(h.root)).send({ id: u.id, display_name: 'Kept' }).expect(200);
      expect(await selfStatus(session)).toBe(200);
      await h.http().put('/api/user/').set(as(h.root)).send({ id: u.id, password: 'admin-set-789' }).expect(200);
      expect(await selfStatus(session)).toBe(401);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
      expect(await selfStatus(await signIn(u.username, 'admin-set-789'))).toBe(200);
    });

    it('POST /api/user/manage disable: the old cookies stay dead after enable', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      const session = await signIn(u.username, 'old-pass-123');
      const cookie = (await h.http().post('/api/user/login').send({ username: u.username, password: 'old-pass-123' }).expect(200)).headers['set-cookie'] as unknown as string[];
      await manage(u.username, 'disable').expect(200);
      expect(await selfStatus(session)).not.toBe(200);
      await manage(u.username, 'enable').expect(200);
      expect(await selfStatus(session)).toBe(401);
      await h.http().get('/api/user/self').set('Cookie', cookie).expect(401);
      expect(await selfStatus(await signIn(u.username, 'old-pass-123'))).toBe(200);
    });

    it('POST /api/user/manage promote and demote end the sessions signed in under the old role', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123' });
      let session = await signIn(u.username, 'old-pass-123');
      await manage(u.username, 'promote').expect(200);
      expect(await selfStatus(session)).toBe(401);
      session = await signIn(u.username, 'old-pass-123');
      expect((await session.get('/api/user/self').expect(200)).body.data.role).toBe(Role.Admin);
      await manage(u.username, 'demote').expect(200);
      expect(await selfStatus(session)).toBe(401);
    });

    it('POST /api/user/reset (the mailed link) ends every session and the access token', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123', email: 'epoch-reset@example.com' });
      const session = await signIn(u.username, 'old-pass-123');
      await h.http().get('/api/reset_password').query({ email: 'epoch-reset@example.com' }).expect(200);
      const mail = await smtp.waitForMail((m) => m.to.includes('epoch-reset@example.com'));
      const token = /token=([A-Za-z0-9]+)/.exec(mail.decoded)?.[1] as string;
      await h.http().post('/api/user/reset').send({ email: 'epoch-reset@example.com', token }).expect(200);
      expect(await selfStatus(session)).toBe(401);
      await h.http().get('/api/user/self').set(as(u)).expect(401);
    });
  });

  describe('POST /api/user/token (access token reset) and GET /api/user/token', () => {
    it('POST rotates the token: the old one stops working at once, the new one works; GET answers it without rotating', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'token-pass-1' });
      const session = await signIn(u.username, 'token-pass-1');
      const current = (await session.get('/api/user/token').expect(200)).body.data as string;
      expect(current).toBe(u.accessToken);
      expect((await session.get('/api/user/token').expect(200)).body.data).toBe(current);
      await h.http().get('/api/user/self').set(as(current)).expect(200);

      const rotated = (await session.post('/api/user/token').set(OWN_PAGE).expect(200)).body.data as string;
      expect(rotated).toMatch(/^[0-9a-f]{32}$/);
      expect(rotated).not.toBe(current);
      await h.http().get('/api/user/self').set(as(current)).expect(401);
      await h.http().get('/api/user/self').set(as(rotated)).expect(200);
      expect((await session.get('/api/user/token').expect(200)).body.data).toBe(rotated);
      // With the token itself: the caller's token is the one replaced.
      const again = (await h.http().post('/api/user/token').set(as(rotated)).expect(200)).body.data as string;
      await h.http().get('/api/user/self').set(as(rotated)).expect(401);
      await h.http().get('/api/user/self').set(as(again)).expect(200);
      // Sessions are not ended by a token reset.
      expect(await selfStatus(session)).toBe(200);
    });
  });

  describe('signed-in changes come from the console’s own page', () => {
    it('refuses a cookie-authenticated change without JSON or X-Requested-With, and any cross-site request', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'origin-pass-1' });
      const session = await signIn(u.username, 'origin-pass-1');
      const before = await row(u.id);
      await session.post('/api/user/token').expect(403);
      await session.post('/api/user/token').set('Content-Type', 'text/plain').send('{}').expect(403);
      await session.post('/api/user/token').set('Content-Type', 'application/x-www-form-urlencoded').send('a=b').expect(403);
      await session.post('/api/user/token').set('Content-Type', 'application/json').set('Sec-Fetch-Site', 'same-site').send({}).expect(403);
      await session.delete('/api/user/self').expect(403);
      expect(await row(u.id)).toEqual(before);
      for (const site of ['cross-site', 'same-site']) await session.get('/api/user/self').set('Sec-Fetch-Site', site).expect(403);
      for (const site of ['same-origin', 'none']) await session.get('/api/user/self').set('Sec-Fetch-Site', site).expect(200);
      await session.post('/api/user/token').set(OWN_PAGE).expect(200);
      await session.post('/api/user/token').send({}).expect(200);
      // Browsers never attach an access token on their own: no such proof needed.
      const token = (await session.get('/api/user/token')).body.data as string;
      await request(h.app.getHttpServer()).post('/api/user/token').set(as(token)).expect(200);
    });

    it('refuses a form-style login and logout (login CSRF) but not the console’s', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'origin-pass-2' });
      await h.http().post('/api/user/login').set('Content-Type', 'text/plain').send(JSON.stringify({ username: u.username, password: 'origin-pass-2' })).expect((r) => expect([400, 403, 415]).toContain(r.status));
      await h.http().post('/api/user/login').set('Sec-Fetch-Site', 'cross-site').send({ username: u.username, password: 'origin-pass-2' }).expect(403);
      const session = await signIn(u.username, 'origin-pass-2');
      // GET no longer logs out (it now falls to GET /api/user/:id, which this user may not read).
      expect((await session.get('/api/user/logout')).status).not.toBe(200);
      await session.post('/api/user/logout').expect(403);
      expect(await selfStatus(session)).toBe(200);
      await session.post('/api/user/logout').set(OWN_PAGE).expect(200);
      expect(await selfStatus(session)).toBe(401);
    });
  });
});
