import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadTestEnv } from '@oneapi/config';
import { httpFrom, randomLoopback, type HttpFromReply } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';
import { CONSOLE_FORWARDED_HEADER, consoleForwardedKey, signConsoleForwarded } from './console-forwarded';

const SECRET = randomBytes(24).toString('hex');
const PASSWORD = 'correct-horse-battery';
/** A made-up address per attempt: what an attacker puts in X-Forwarded-For to look like many clients. */
const forged = () => `203.0.113.${1 + Math.floor(Math.random() * 254)}`;

describe.each(DB_KINDS)('POST /api/user/login limits (%s)', (kind) => {
  // MariaDB runs the distributed mode: counters in Redis, shared by replicas.
  const redisEnv: Record<string, string> = kind === 'mysql' ? { REDIS_CONN_STRING: loadTestEnv().redisUrl } : {};
  // Stands in for a reverse proxy named in TRUSTED_PROXIES.
  const proxy = randomLoopback();
  let h: AdminHarness;
  let url: string;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (!enabled) return;
    // Defaults except the account ceiling, lowered so spraying it takes few requests.
    h = await startAdminHarness(kind, {
      ...redisEnv,
      SESSION_SECRET: SECRET,
      CRITICAL_RATE_LIMIT: '20',
      LOGIN_FAILURE_LIMIT: '10',
      LOGIN_FAILURE_USER_LIMIT: '25',
      TRUSTED_PROXIES: proxy,
    });
    url = `http://127.0.0.1:${(h.app.getHttpServer().address() as AddressInfo).port}/api/user/login`;
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  const login = (from: string, username: string, password: string, headers: Record<string, string> = {}): Promise<HttpFromReply> =>
    httpFrom(from, url, { json: { username, password }, headers });
  const user = async () => (await h.createUser({ password: PASSWORD })).username;

  it('30 wrong passwords from one client with forged X-Forwarded-For lock out that client only', async () => {
    if (!enabled) return;
    const name = await user();
    const attacker = randomLoopback();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login(attacker, name, 'wrong-password', { 'X-Forwarded-For': forged() })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    // Locked out even with the right password, and a fresh forged address changes nothing.
    const locked = await login(attacker, name, PASSWORD, { 'X-Forwarded-For': forged() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(1100);
    expect(locked.body).toMatchObject({ success: false, data: null });
    // Another client still logs in.
    const other = await login(randomLoopback(), name, PASSWORD);
    expect(other.status).toBe(200);
    expect(other.headers['set-cookie']?.join(';')).toMatch(/session=/);
  });

  it('behind a proxy named in TRUSTED_PROXIES, the client is the right-most hop it added; hops the client wrote are ignored', async () => {
    if (!enabled) return;
    const name = await user();
    const [attacker, victim] = [randomLoopback(), randomLoopback()];
    const statuses: number[] = [];
    // The proxy appends the address it saw; the attacker controls everything left of it.
    for (let i = 0; i < 12; i++) statuses.push((await login(proxy, name, 'wrong-password', { 'X-Forwarded-For': `${forged()}, ${proxy}, ${attacker}` })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    expect((await login(proxy, name, PASSWORD, { 'X-Forwarded-For': `${forged()}, ${attacker}` })).status).toBe(429);
    expect((await login(proxy, name, PASSWORD, { 'X-Forwarded-For': victim })).status).toBe(200);
    // An address that is not a trusted proxy cannot speak for others: its X-Forwarded-For is ignored.
    const outsider = randomLoopback();
    for (let i = 0; i < 10; i++) await login(outsider, name, 'wrong-password', { 'X-Forwarded-For': victim });
    expect((await login(outsider, name, PASSWORD, { 'X-Forwarded-For': randomLoopback() })).status).toBe(429);
    expect((await login(proxy, name, PASSWORD, { 'X-Forwarded-For': victim })).status).toBe(200);
  });

  it('a success clears the client count; spraying from many clients stops at the per-account ceiling, for everyone', async () => {
    if (!enabled) return;
    const name = await user();
    const client = randomLoopback();
    for (let i = 0; i < 9; i++) expect((await login(client, name, 'wrong-password')).status).toBe(401);
    expect((await login(client, name, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await login(client, name, 'wrong-password')).status).toBe(401);
    expect((await login(client, name, PASSWORD)).status).toBe(200);

    // 18 failures so far; 7 more from fresh addresses reach the ceiling of 25.
    const sprayed: number[] = [];
    for (let i = 0; i < 10; i++) sprayed.push((await login(randomLoopback(), name, 'wrong-password')).status);
    expect(sprayed).toEqual([...Array(7).fill(401), ...Array(3).fill(429)]);
    const refused = await login(randomLoopback(), name, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ message: expect.not.stringContaining('from your address') });
    // Other accounts are not affected.
    expect((await login(randomLoopback(), await user(), PASSWORD)).status).toBe(200);
  });

  it("believes the console's address header only with a valid signature", async () => {
    if (!enabled) return;
    const name = await user();
    const consoleHost = randomLoopback();
    const browser = randomLoopback();
    const sign = (key: Buffer, client: string) =>
      signConsoleForwarded(key, { for: `${forged()}, ${client}`, proto: 'http', scheme: 'http', t: Math.floor(Date.now() / 1000) });
    const wrongKey = consoleForwardedKey(randomBytes(24).toString('hex'));
    // Forged signatures (another secret, a made-up value): counted against the socket's address.
    for (let i = 0; i < 10; i++) {
      const header = i % 2 ? sign(wrongKey, randomLoopback()) : `${randomBytes(40).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      expect((await login(consoleHost, name, 'wrong-password', { [CONSOLE_FORWARDED_HEADER]: header })).status).toBe(401);
    }
    const refused = await login(consoleHost, name, PASSWORD, { [CONSOLE_FORWARDED_HEADER]: sign(wrongKey, randomLoopback()) });
    expect(refused).toMatchObject({ status: 429, body: { success: false, message: expect.stringContaining('from your address') } });
    // Signed with the secret, the console speaks for its browsers: this one is not locked out.
    const key = consoleForwardedKey(SECRET);
    expect((await login(consoleHost, name, PASSWORD, { [CONSOLE_FORWARDED_HEADER]: sign(key, browser) })).status).toBe(200);
    // An old signature (a captured header replayed later) is refused.
    const stale = signConsoleForwarded(key, { for: browser, proto: 'http', scheme: 'http', t: Math.floor(Date.now() / 1000) - 3600 });
    expect((await login(consoleHost, name, PASSWORD, { [CONSOLE_FORWARDED_HEADER]: stale })).status).toBe(429);
  });

  it('marks the session cookie Secure only when the request arrived over HTTPS', async () => {
    if (!enabled) return;
    const name = await user();
    const cookie = (r: HttpFromReply) => (r.headers['set-cookie'] ?? []).find((c) => c.startsWith('session=')) ?? '';
    const plain = await login(randomLoopback(), name, PASSWORD, { 'X-Forwarded-Proto': 'https' });
    expect(plain.status).toBe(200);
    // The client's own X-Forwarded-Proto proves nothing.
    expect(cookie(plain)).not.toMatch(/;\s*Secure/i);
    const viaProxy = await login(proxy, name, PASSWORD, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': randomLoopback() });
    expect(cookie(viaProxy)).toMatch(/;\s*Secure/i);
    const viaConsole = await login(randomLoopback(), name, PASSWORD, {
      [CONSOLE_FORWARDED_HEADER]: signConsoleForwarded(consoleForwardedKey(SECRET), { for: randomLoopback(), proto: 'https', scheme: 'https', t: Math.floor(Date.now() / 1000) }),
    });
    expect(cookie(viaConsole)).toMatch(/;\s*Secure/i);
    expect(cookie(viaConsole)).toMatch(/HttpOnly/i);
  });
});

describe('COOKIE_SECURE=true', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness('sqlite', { COOKIE_SECURE: 'true' });
  });
  afterAll(async () => h.close());

  it('marks the session cookie Secure on a plain HTTP request', async () => {
    const res = await h.http().post('/api/user/login').send({ username: 'root', password: h.rootPassword }).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('session=')) ?? '';
    expect(cookie).toMatch(/;\s*Secure/i);
  });
});
