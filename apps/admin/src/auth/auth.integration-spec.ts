import { LogType, Role, UserStatus } from '@oneapi/domain';
import { startSmtpSink, startTurnstileFake, type SmtpSink, type TurnstileFake } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

describe.each(DB_KINDS)('account routes (%s)', (kind) => {
  let h: AdminHarness;
  let smtp: SmtpSink;
  let turnstile: TurnstileFake;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (!enabled) return;
    smtp = await startSmtpSink();
    turnstile = await startTurnstileFake();
    h = await startAdminHarness(kind, { TURNSTILE_VERIFY_URL: turnstile.verifyUrl });
    for (const [k, v] of Object.entries(smtp.options())) await h.runtime.options.set(k, v);
    await h.runtime.options.set('ServerAddress', 'https://gateway.example');
  });
  afterAll(async () => {
    if (!enabled) return;
    await h.close();
    await smtp.close();
    await turnstile.close();
  });

  const setOption = (k: string, v: string) => h.runtime.options.set(k, v);

  describe('POST /api/user/register', () => {
    afterEach(async () => {
      if (!enabled) return;
      for (const [k, v] of [['RegisterEnabled', 'true'], ['PasswordRegisterEnabled', 'true'], ['QuotaForNewUser', '0'], ['QuotaForInviter', '0'], ['QuotaForInvitee', '0']]) await setOption(k as string, v as string);
    });

    it('creates a common user with QuotaForNewUser and a default unlimited token', async () => {
      if (!enabled) return;
      await setOption('QuotaForNewUser', '1000');
      const res = await h.http().post('/api/user/register').send({ username: 'alice', password: 'alice-pass-1' }).expect(200);
      expect(res.body).toMatchObject({ success: true, data: { username: 'alice' } });
      const [user] = await h.sql<{ id: number; role: number; quota: number; password: string; display_name: string }>('SELECT id, role, quota, password, display_name FROM users WHERE username = ?', ['alice']);
      expect(user).toMatchObject({ role: Role.Common, display_name: 'alice' });
      expect(Number(user?.quota)).toBe(1000);
      expect(user?.password).toMatch(/^\$2[aby]\$10\$/);
      const tokens = await h.sql<{ name: string; unlimited_quota: number; expired_time: number; key: string }>('SELECT name, unlimited_quota, expired_time, `key` FROM tokens WHERE user_id = ?', [user?.id]);
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toMatchObject({ name: 'default' });
      expect(Number(tokens[0]?.unlimited_quota)).toBe(1);
      expect(Number(tokens[0]?.expired_time)).toBe(-1);
      expect(tokens[0]?.key).toMatch(/^[A-Za-z0-9]{48}$/);
      const logs = await h.sql<{ type: number; quota: number }>('SELECT type, quota FROM logs WHERE user_id = ?', [user?.id]);
      expect(logs.map((l) => Number(l.type))).toContain(LogType.System);
    });

    it('credits inviter and invitee with their top-up logs when an aff code is given', async () => {
      if (!enabled) return;
      await setOption('QuotaForInviter', '300');
      await setOption('QuotaForInvitee', '200');
      await setOption('QuotaForNewUser', '50');
      const inviter = await h.createUser({ quota: 10 });
      const [row] = await h.sql<{ aff_code: string }>('SELECT aff_code FROM users WHERE id = ?', [inviter.id]);
      await h.http().post('/api/user/register').send({ username: 'invitee1', password: 'invitee-pass', aff_code: row?.aff_code }).expect(200);
      const [invitee] = await h.sql<{ id: number; quota: number; inviter_id: number }>('SELECT id, quota, inviter_id FROM users WHERE username = ?', ['invitee1']);
      expect(Number(invitee?.quota)).toBe(250);
      expect(Number(invitee?.inviter_id)).toBe(inviter.id);
      const [inv] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [inviter.id]);
      expect(Number(inv?.quota)).toBe(310);
      const inviterLogs = await h.sql<{ type: number; quota: number }>('SELECT type, quota FROM logs WHERE user_id = ?', [inviter.id]);
      expect(inviterLogs).toEqual([expect.objectContaining({ type: LogType.Topup })]);
      expect(Number(inviterLogs[0]?.quota)).toBe(300);
      const inviteeLogs = await h.sql<{ type: number }>('SELECT type FROM logs WHERE user_id = ? ORDER BY id', [invitee?.id]);
      expect(inviteeLogs.map((l) => Number(l.type)).sort()).toEqual([LogType.Topup, LogType.System].sort());
    });

    it('refuses a taken username (409), bad input (400 naming the field) and closed registration (403)', async () => {
      if (!enabled) return;
      await h.http().post('/api/user/register').send({ username: 'bob', password: 'bob-pass-12' }).expect(200);
      const dup = await h.http().post('/api/user/register').send({ username: 'bob', password: 'bob-pass-12' }).expect(409);
      expect(dup.body).toMatchObject({ success: false, data: null });
      const short = await h.http().post('/api/user/register').send({ username: 'carol', password: 'short' }).expect(400);
      expect(short.body.message).toMatch(/password/);
      const long = await h.http().post('/api/user/register').send({ username: 'a-very-long-username', password: 'long-enough-1' }).expect(400);
      expect(long.body.message).toMatch(/username/);
      await h.http().post('/api/user/register').set('content-type', 'application/json').send('{"username":').expect(400);
      await setOption('PasswordRegisterEnabled', 'false');
      await h.http().post('/api/user/register').send({ username: 'dave', password: 'dave-pass-1' }).expect(403);
      await setOption('RegisterEnabled', 'false');
      await h.http().post('/api/user/register').send({ username: 'dave', password: 'dave-pass-1' }).expect(403);
      expect(await h.sql('SELECT id FROM users WHERE username = ?', ['dave'])).toHaveLength(0);
    });
  });

  describe('POST /api/user/login and POST /api/user/logout', () => {
    it('logs in by username or email, sets the session, and logs out', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'erin-pass-1', email: 'erin@example.com' });
      const agent = h.agent();
      const res = await agent.post('/api/user/login').send({ username: u.username, password: 'erin-pass-1' }).expect(200);
      expect(res.body.data).toEqual({ id: u.id, username: u.username, display_name: u.username, role: Role.Common, status: UserStatus.Enabled });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const self = await agent.get('/api/user/self').expect(200);
      expect(self.body.data.id).toBe(u.id);
      await agent.post('/api/user/logout').set('X-Requested-With', 'XMLHttpRequest').expect(200);
      await agent.get('/api/user/self').expect(401);
      const byEmail = h.agent();
      await byEmail.post('/api/user/login').send({ username: 'erin@example.com', password: 'erin-pass-1' }).expect(200);
      await byEmail.post('/api/user/logout').send({}).expect(200);
    });

    it('refuses a wrong password (401), a disabled user (403), missing fields (400) and disabled password login (403)', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'frank-pass-1' });
      await h.http().post('/api/user/login').send({ username: u.username, password: 'wrong-pass' }).expect(401);
      await h.http().post('/api/user/login').send({ username: 'nobody-here', password: 'whatever1' }).expect(401);
      await h.http().post('/api/user/login').send({ username: u.username }).expect(400);
      await h.sql('UPDATE users SET status = ? WHERE id = ?', [UserStatus.Disabled, u.id]);
      await h.http().post('/api/user/login').send({ username: u.username, password: 'frank-pass-1' }).expect(403);
      await setOption('PasswordLoginEnabled', 'false');
      try {
        await h.http().post('/api/user/login').send({ username: 'root', password: h.rootPassword }).expect(403);
      } finally {
        await setOption('PasswordLoginEnabled', 'true');
      }
    });
  });

  describe('email verification (GET /api/verification, POST /api/oauth/email/verification) and POST /api/oauth/email/bind', () => {
    afterEach(async () => {
      if (!enabled) return;
      await setOption('EmailVerificationEnabled', 'false');
      await setOption('EmailDomainRestrictionEnabled', 'false');
    });

    const codeFrom = async (to: string) => {
      const mail = await smtp.waitForMail((m) => m.to.includes(to));
      const match = /<strong>([A-Za-z0-9]{6})<\/strong>/.exec(mail.decoded);
      expect(match).not.toBeNull();
      return { code: match?.[1] as string, mail };
    };

    it('mails a code through the SMTP options and registration requires it', async () => {
      if (!enabled) return;
      await setOption('EmailVerificationEnabled', 'true');
      await h.http().post('/api/user/register').send({ username: 'gina', password: 'gina-pass-1' }).expect(400);
      await h.http().get('/api/verification').query({ email: 'gina@example.com' }).expect(200);
      const { code, mail } = await codeFrom('gina@example.com');
      expect(mail.auth).toEqual({ username: 'sink-user', password: 'sink-password' });
      expect(mail.from).toBe('noreply@oneapi.test');
      await h.http().post('/api/user/register').send({ username: 'gina', password: 'gina-pass-1', email: 'gina@example.com', verification_code: 'XXXXXX' }).expect(400);
      await h.http().post('/api/user/register').send({ username: 'gina', password: 'gina-pass-1', email: 'gina@example.com', verification_code: code }).expect(200);
      const [row] = await h.sql<{ email: string }>('SELECT email FROM users WHERE username = ?', ['gina']);
      expect(row?.email).toBe('gina@example.com');
      // The address is now taken.
      await h.http().get('/api/verification').query({ email: 'gina@example.com' }).expect(409);
      await h.http().get('/api/verification').query({ email: 'not-an-email' }).expect(400);
    });

    it('enforces the domain whitelist when enabled', async () => {
      if (!enabled) return;
      await setOption('EmailDomainWhitelist', 'allowed.test');
      await setOption('EmailDomainRestrictionEnabled', 'true');
      await h.http().get('/api/verification').query({ email: 'x@other.test' }).expect(403);
      await h.http().get('/api/verification').query({ email: 'x@allowed.test' }).expect(200);
    });

    it('binds an address with a code mailed for this user’s bind, once; no GET, no other purpose, no other user', async () => {
      if (!enabled) return;
      const u = await h.createUser();
      const other = await h.createUser();
      const email = async (id: number) => (await h.sql<{ email: string }>('SELECT email FROM users WHERE id = ?', [id]))[0]?.email;
      const bind = (who: typeof u, body: object) => h.http().post('/api/oauth/email/bind').set('Authorization', who.accessToken).send(body);
      // A registration code (the public route) does not bind.
      await h.http().get('/api/verification').query({ email: 'reg-code@example.com' }).expect(200);
      const { code: registerCode } = await codeFrom('reg-code@example.com');
      await bind(u, { email: 'reg-code@example.com', code: registerCode }).expect(400);
      // Another user's bind code does not bind this user, even for the same address.
      await h.http().post('/api/oauth/email/verification').set('Authorization', other.accessToken).send({ email: 'theirs@example.com' }).expect(200);
      const { code: theirCode } = await codeFrom('theirs@example.com');
      await bind(u, { email: 'theirs@example.com', code: theirCode }).expect(400);
      // The user's own code: not on GET, wrong code refused, then bound exactly once.
      await h.http().post('/api/oauth/email/verification').set('Authorization', u.accessToken).send({ email: 'bind-me@example.com' }).expect(200);
      const { code } = await codeFrom('bind-me@example.com');
      await h.http().get('/api/oauth/email/bind').query({ email: 'bind-me@example.com', code }).set('Authorization', u.accessToken).expect(404);
      await bind(u, { email: 'bind-me@example.com', code: 'wrong1' }).expect(400);
      await bind(u, { email: 'bind-me@example.com' }).expect(400);
      expect(await email(u.id)).toBe('');
      await bind(u, { email: 'bind-me@example.com', code }).expect(200);
      expect(await email(u.id)).toBe('bind-me@example.com');
      await bind(u, { email: 'bind-me@example.com', code }).expect(400);
      // The bind code neither registers nor resets, and the other user's code still binds them.
      await setOption('EmailVerificationEnabled', 'true');
      await h.http().post('/api/user/register').send({ username: 'binder2', password: 'binder-pass-2', email: 'theirs@example.com', verification_code: theirCode }).expect(400);
      await bind(other, { email: 'theirs@example.com', code: theirCode }).expect(200);
      expect(await email(other.id)).toBe('theirs@example.com');
      // Needs a signed-in caller, and an address nobody else holds.
      await h.http().post('/api/oauth/email/verification').send({ email: 'anon@example.com' }).expect(401);
      await h.http().post('/api/oauth/email/verification').set('Authorization', u.accessToken).send({ email: 'theirs@example.com' }).expect(409);
    });

    it('a bind code dies with the sessions of the user who asked for it', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'epoch-pass-1' });
      const agent = h.agent();
      await agent.post('/api/user/login').send({ username: u.username, password: 'epoch-pass-1' }).expect(200);
      await agent.post('/api/oauth/email/verification').send({ email: 'epoch-bind@example.com' }).expect(200);
      const { code } = await codeFrom('epoch-bind@example.com');
      await agent.put('/api/user/self').send({ password: 'epoch-pass-2', original_password: 'epoch-pass-1' }).expect(200);
      await agent.post('/api/oauth/email/bind').send({ email: 'epoch-bind@example.com', code }).expect(400);
    });
  });

  describe('password reset (GET /api/reset_password, POST /api/user/reset)', () => {
    it('mails a reset link; the token sets and returns a new password once', async () => {
      if (!enabled) return;
      const u = await h.createUser({ password: 'old-pass-123', email: 'hank@example.com' });
      await h.http().get('/api/reset_password').query({ email: 'hank@example.com' }).expect(200);
      const mail = await smtp.waitForMail((m) => m.to.includes('hank@example.com'));
      const link = /https:\/\/gateway\.example\/user\/reset\?email=([^&"\s]+)&(?:amp;)?token=([A-Za-z0-9]+)/.exec(mail.decoded);
      expect(link).not.toBeNull();
      const token = link?.[2] as string;
      await h.http().post('/api/user/reset').send({ email: 'hank@example.com', token: 'not-the-token' }).expect(400);
      const res = await h.http().post('/api/user/reset').send({ email: 'hank@example.com', token }).expect(200);
      expect(res.body.data).toMatch(/^[A-Za-z0-9]{12}$/);
      await h.http().post('/api/user/login').send({ username: u.username, password: 'old-pass-123' }).expect(401);
      await h.http().post('/api/user/login').send({ username: u.username, password: res.body.data }).expect(200);
      await h.http().post('/api/user/reset').send({ email: 'hank@example.com', token }).expect(400);
      await h.http().get('/api/reset_password').query({ email: 'nobody@example.com' }).expect(404);
    });
  });

  describe('Turnstile', () => {
    afterEach(async () => {
      if (enabled) await setOption('TurnstileCheckEnabled', 'false');
    });

    it('when enabled, register needs a token siteverify accepts; when off, none', async () => {
      if (!enabled) return;
      await setOption('TurnstileSiteKey', 'site-key');
      await setOption('TurnstileSecretKey', turnstile.secret);
      await setOption('TurnstileCheckEnabled', 'true');
      const body = { username: 'ivan', password: 'ivan-pass-1' };
      await h.http().post('/api/user/register').send(body).expect(400);
      await h.http().post('/api/user/register').query({ turnstile: 'forged' }).send(body).expect(403);
      turnstile.allow('good-token');
      await h.http().post('/api/user/register').query({ turnstile: 'good-token' }).send(body).expect(200);
      const verify = turnstile.requests.at(-1);
      expect(new URLSearchParams(verify?.body).get('secret')).toBe(turnstile.secret);
      await setOption('TurnstileCheckEnabled', 'false');
      await h.http().post('/api/user/register').send({ username: 'judy', password: 'judy-pass-1' }).expect(200);
    });
  });
});

describe.each(DB_KINDS)('root with the default password (%s)', (kind) => {
  let h: AdminHarness;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (enabled) h = await startAdminHarness(kind, { INITIAL_ROOT_PASSWORD: '' });
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  it('may only read self and change the password until it changes', async () => {
    if (!enabled) return;
    const agent = h.agent();
    const login = await agent.post('/api/user/login').send({ username: 'root', password: '123456' }).expect(200);
    expect(login.body.data).toMatchObject({ username: 'root', role: Role.Root, require_password_change: true });
    await agent.get('/api/user/self').expect(200);
    for (const [method, path] of [['get', '/api/user/'], ['get', '/api/option/'], ['get', '/api/user/token'], ['get', '/api/user/aff'], ['post', '/api/topup']] as const) {
      const res = await agent[method](path).send({});
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    await agent.put('/api/user/self').send({ password: 'short' }).expect(400);
    await agent.put('/api/user/self').send({ password: 'a-new-root-pass' }).expect(200);
    await agent.get('/api/user/').expect(200);
    await agent.get('/api/option/').expect(200);
    const again = await h.agent().post('/api/user/login').send({ username: 'root', password: 'a-new-root-pass' }).expect(200);
    expect(again.body.data.require_password_change).toBeUndefined();
  });
});
