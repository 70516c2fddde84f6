import { Role } from '@oneapi/domain';
import { startGitHubFake, startWeChatServerFake, type GitHubFake, type WeChatServerFake } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

describe.each(DB_KINDS)('OAuth routes (%s)', (kind) => {
  let h: AdminHarness;
  let github: GitHubFake;
  let wechat: WeChatServerFake;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (!enabled) return;
    github = await startGitHubFake();
    wechat = await startWeChatServerFake();
    h = await startAdminHarness(kind, { GITHUB_OAUTH_URL: github.url, GITHUB_API_URL: github.url });
    const set = (k: string, v: string) => h.runtime.options.set(k, v);
    await set('GitHubClientId', github.clientId);
    await set('GitHubClientSecret', github.clientSecret);
    await set('GitHubOAuthEnabled', 'true');
    await set('WeChatServerAddress', wechat.url);
    await set('WeChatServerToken', wechat.token);
    await set('WeChatAuthEnabled', 'true');
  });
  afterAll(async () => {
    if (!enabled) return;
    await h.close();
    await github.close();
    await wechat.close();
  });

  const userBy = async (column: 'github_id' | 'wechat_id', value: string) =>
    (await h.sql<{ id: number; username: string; display_name: string; email: string }>(`SELECT id, username, display_name, email FROM users WHERE ${column} = ?`, [value]))[0];

  describe('GitHub', () => {
    it('signs up a new user as github_<n>, then signs the same user in', async () => {
      if (!enabled) return;
      const agent = h.agent();
      const state = (await agent.get('/api/oauth/state').expect(200)).body.data as string;
      expect(state).toMatch(/^[A-Za-z0-9]{12}$/);
      const code = github.issueCode({ login: 'octocat', name: 'The Octocat', email: 'octo@example.com' });
      await agent.get('/api/oauth/github').query({ code, state }).expect(404);
      const res = await agent.post('/api/oauth/github').send({ code, state }).expect(200);
      const created = await userBy('github_id', 'octocat');
      expect(created?.username).toMatch(/^github_\d+$/);
      expect(created).toMatchObject({ display_name: 'The Octocat', email: 'octo@example.com' });
      expect(res.body.data).toMatchObject({ id: created?.id, role: Role.Common });
      await agent.get('/api/user/self').expect(200);
      const exchange = github.requests.find((r) => r.path === '/login/oauth/access_token');
      expect(JSON.parse(exchange?.body ?? '{}')).toMatchObject({ client_id: github.clientId, client_secret: github.clientSecret, code });

      const again = h.agent();
      const state2 = (await again.get('/api/oauth/state')).body.data as string;
      const res2 = await again.post('/api/oauth/github').send({ code: github.issueCode({ login: 'octocat' }), state: state2 }).expect(200);
      expect(res2.body.data.id).toBe(created?.id);
    });

    it('refuses a missing or wrong state (403; a wrong one also spends the right one), a replayed state, a bad code (400) and a form post', async () => {
      if (!enabled) return;
      const agent = h.agent();
      const post = (body: object) => agent.post('/api/oauth/github').send(body);
      await post({ code: github.issueCode({ login: 'x1' }) }).expect(403);
      let state = (await agent.get('/api/oauth/state')).body.data as string;
      await post({ code: github.issueCode({ login: 'x1' }), state: 'other-state' }).expect(403);
      await post({ code: github.issueCode({ login: 'x1' }), state }).expect(403);
      state = (await agent.get('/api/oauth/state')).body.data as string;
      await post({ code: 'bogus', state }).expect(400);
      await post({ code: github.issueCode({ login: 'x1' }), state }).expect(403);
      state = (await agent.get('/api/oauth/state')).body.data as string;
      await agent.post('/api/oauth/github').type('form').send({ code: github.issueCode({ login: 'x1' }), state }).expect(403);
      expect(await userBy('github_id', 'x1')).toBeUndefined();
    });

    it('binds GitHub to the signed-in user; a bound account cannot be bound again', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'binder-pass' });
      const agent = h.agent();
      await agent.post('/api/user/login').send({ username: u.username, password: 'binder-pass' }).expect(200);
      let state = (await agent.get('/api/oauth/state')).body.data as string;
      const res = await agent.post('/api/oauth/github').send({ code: github.issueCode({ login: 'binder-gh' }), state }).expect(200);
      expect(res.body.message).toBe('bind');
      expect((await userBy('github_id', 'binder-gh'))?.id).toBe(u.id);
      state = (await agent.get('/api/oauth/state')).body.data as string;
      await agent.post('/api/oauth/github').send({ code: github.issueCode({ login: 'octocat' }), state }).expect(409);
    });

    it('is refused while GitHubOAuthEnabled is off or registration is closed', async () => {
      if (!enabled) return;
      const agent = h.agent();
      await h.runtime.options.set('RegisterEnabled', 'false');
      try {
        const state = (await agent.get('/api/oauth/state')).body.data as string;
        await agent.post('/api/oauth/github').send({ code: github.issueCode({ login: 'newcomer' }), state }).expect(403);
      } finally {
        await h.runtime.options.set('RegisterEnabled', 'true');
      }
      await h.runtime.options.set('GitHubOAuthEnabled', 'false');
      try {
        const state = (await agent.get('/api/oauth/state')).body.data as string;
        await agent.post('/api/oauth/github').send({ code: github.issueCode({ login: 'octocat' }), state }).expect(403);
      } finally {
        await h.runtime.options.set('GitHubOAuthEnabled', 'true');
      }
      expect(await userBy('github_id', 'newcomer')).toBeUndefined();
    });
  });

  describe('WeChat', () => {
    it('signs up wechat_<n> through the WeChat Server, then signs in the same user', async () => {
      if (!enabled) return;
      const agent = h.agent();
      await agent.get('/api/oauth/wechat').query({ code: wechat.issueCode('openid-1') }).expect(404);
      const res = await agent.post('/api/oauth/wechat').send({ code: wechat.issueCode('openid-1') }).expect(200);
      const created = await userBy('wechat_id', 'openid-1');
      expect(created).toMatchObject({ display_name: 'WeChat User' });
      expect(created?.username).toMatch(/^wechat_\d+$/);
      expect(res.body.data.id).toBe(created?.id);
      await agent.get('/api/user/self').expect(200);
      expect(wechat.requests.at(-1)?.headers.authorization).toBe(wechat.token);
      const again = await h.http().post('/api/oauth/wechat').send({ code: wechat.issueCode('openid-1') }).expect(200);
      expect(again.body.data.id).toBe(created?.id);
      await h.http().post('/api/oauth/wechat').send({ code: 'nope' }).expect(400);
      // A form post from another page (login CSRF) is refused before the code is looked at.
      await h.http().post('/api/oauth/wechat').query({ code: wechat.issueCode('openid-1') }).expect(403);
    });

    it('binds WeChat to the signed-in user (POST /api/oauth/wechat/bind; never on GET or from a form)', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'wechat-bind-1' });
      await h.http().post('/api/oauth/wechat/bind').send({ code: wechat.issueCode('openid-2') }).expect(401);
      await h.http().get('/api/oauth/wechat/bind').query({ code: wechat.issueCode('openid-2') }).set('Authorization', u.accessToken).expect(404);
      const session = h.agent();
      await session.post('/api/user/login').send({ username: u.username, password: 'wechat-bind-1' }).expect(200);
      await session.post('/api/oauth/wechat/bind').type('form').send({ code: wechat.issueCode('openid-2') }).expect(403);
      expect(await userBy('wechat_id', 'openid-2')).toBeUndefined();
      await session.post('/api/oauth/wechat/bind').send({ code: wechat.issueCode('openid-2') }).expect(200);
      expect((await userBy('wechat_id', 'openid-2'))?.id).toBe(u.id);
      const other = await h.createUser();
      await h.http().post('/api/oauth/wechat/bind').send({ code: wechat.issueCode('openid-2') }).set('Authorization', other.accessToken).expect(409);
    });

    it('is refused while WeChatAuthEnabled is off', async () => {
      if (!enabled) return;
      await h.runtime.options.set('WeChatAuthEnabled', 'false');
      try {
        await h.http().post('/api/oauth/wechat').send({ code: wechat.issueCode('openid-3') }).expect(403);
      } finally {
        await h.runtime.options.set('WeChatAuthEnabled', 'true');
      }
    });
  });
});
