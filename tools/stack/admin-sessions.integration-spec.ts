import { randomBytes } from 'node:crypto';
import { childEnv, loadTestEnv } from '@oneapi/config';
import { WORKSPACE_ROOT, createTestDatabase, distFile, freePort, isMysqlAvailable, startProcess, waitForHttp, type RunningProcess, type TestDatabase } from '@oneapi/testing';

/**
 * Issue 11 on a real two-admin stack (separate processes from dist/, one MariaDB, one Redis):
 * a password change, a disable or a role change made on one node ends the user's other sessions
 * and access token on BOTH nodes within 1 s; the session that changed its own password stays
 * signed in on both. No SESSION_SECRET is set (issue 16): both nodes use the secret the master
 * generated and stored in the database.
 */
describe('two admin processes on MariaDB and Redis: sessions end everywhere at once', () => {
  const rootToken = randomBytes(16).toString('hex');
  let db: TestDatabase | undefined;
  const procs: RunningProcess[] = [];
  const nodes: string[] = [];
  const spawnedEnvs: NodeJS.ProcessEnv[] = [];
  let seq = 0;

  interface Reply {
    status: number;
    body: { success: boolean; message: string; data: unknown };
    cookie?: string;
  }

  /** One call to a node, as the console's fetch makes it (JSON, X-Requested-With). */
  async function call(node: string, method: string, path: string, auth: { cookie?: string; token?: string } = {}, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { 'x-requested-with': 'XMLHttpRequest' };
    if (auth.cookie) headers['cookie'] = auth.cookie;
    if (auth.token) headers['authorization'] = `Bearer ${auth.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${node}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
    return { status: res.status, body: (await res.json()) as Reply['body'], cookie: setCookie?.split(';')[0] };
  }
  async function signIn(node: string, username: string, password: string): Promise<string> {
    const res = await call(node, 'POST', '/api/user/login', {}, { username, password });
    if (res.status !== 200 || !res.cookie) throw new Error(`login on ${node}: ${res.status} ${res.body.message}`);
    return res.cookie;
  }
  async function newUser(password: string): Promise<{ username: string; token: string }> {
    const [a, b] = nodes as [string, string];
    const username = `s${++seq}_${randomBytes(2).toString('hex')}`;
    const created = await call(a, 'POST', '/api/user/', { token: rootToken }, { username, password });
    if (created.status !== 200) throw new Error(`create user: ${created.status} ${created.body.message}`);
    const token = (await call(b, 'GET', '/api/user/token', { cookie: await signIn(b, username, password) })).body.data as string;
    return { username, token };
  }
  const selfStatus = async (node: string, auth: { cookie?: string; token?: string }) => (await call(node, 'GET', '/api/user/self', auth)).status;

  /**
   * After a change returned: every (node, credential) pair must be refused within 1 s, polling
   * each with its next request. Answers how long the slowest one took.
   */
  async function refusedEverywhereWithin(credentials: Array<{ cookie?: string; token?: string }>, changedAt: number, limitMs = 1000): Promise<number> {
    let slowest = 0;
    for (const node of nodes) {
      for (const auth of credentials) {
        for (;;) {
          const status = await selfStatus(node, auth);
          const elapsed = Date.now() - changedAt;
          if (status === 401 || status === 403) {
            slowest = Math.max(slowest, elapsed);
            break;
          }
          if (elapsed > limitMs) throw new Error(`${node} still answered ${status} ${elapsed} ms after the change`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    return slowest;
  }

  beforeAll(async () => {
    if (!(await isMysqlAvailable())) return;
    db = await createTestDatabase('mysql');
    const common = {
      ...db.env,
      REDIS_CONN_STRING: loadTestEnv().redisUrl,
      LOG_LEVEL: 'warn',
      // Long enough that nothing expires during the test: the change itself must do the work.
      SYNC_FREQUENCY: '600',
      CACHE_TTL_SECONDS: '600',
      GLOBAL_API_RATE_LIMIT: '0',
      CRITICAL_RATE_LIMIT: '0',
      INITIAL_ROOT_PASSWORD: 'two-admins-root-pw',
      INITIAL_ROOT_ACCESS_TOKEN: rootToken,
    };
    // The master migrates and creates root; the second admin then joins as a slave.
    for (const nodeType of ['master', 'slave']) {
      const port = await freePort();
      const env = childEnv({ ...common, NODE_TYPE: nodeType, ADMIN_PORT: String(port) });
      spawnedEnvs.push(env);
      const admin = startProcess(process.execPath, [distFile('apps/admin/src/main.js')], { cwd: WORKSPACE_ROOT, env });
      procs.push(admin);
      nodes.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, { process: admin, timeoutMs: 90_000 });
    }
  }, 200_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await db?.drop();
  });

  it('with no SESSION_SECRET set, a session cookie issued by either node is accepted by the other', async () => {
    if (!db) return;
    expect(spawnedEnvs.map((e) => e['SESSION_SECRET'])).toEqual([undefined, undefined]);
    const [a, b] = nodes as [string, string];
    const u = await newUser('shared-pass-1');
    const fromA = await signIn(a, u.username, 'shared-pass-1');
    const fromB = await signIn(b, u.username, 'shared-pass-1');
    for (const node of nodes) {
      for (const cookie of [fromA, fromB]) {
        const self = await call(node, 'GET', '/api/user/self', { cookie });
        expect({ node, status: self.status, username: (self.body.data as { username?: string } | null)?.username }).toEqual({ node, status: 200, username: u.username });
      }
    }
    // A cookie the nodes did not seal is still refused.
    expect(await selfStatus(b, { cookie: 'session=' + randomBytes(64).toString('base64url') })).toBe(401);
  });

  it('PUT /api/user/self (password) on node A: the other sessions and the access token are refused by A and B within 1 s', async () => {
    if (!db) return;
    const [a, b] = nodes as [string, string];
    const u = await newUser('old-pass-123');
    const mine = await signIn(a, u.username, 'old-pass-123');
    const others = [await signIn(a, u.username, 'old-pass-123'), await signIn(b, u.username, 'old-pass-123')];
    for (const node of nodes) for (const cookie of [mine, ...others]) expect(await selfStatus(node, { cookie })).toBe(200);

    const changed = await call(a, 'PUT', '/api/user/self', { cookie: mine }, { password: 'new-pass-456', original_password: 'old-pass-123' });
    const changedAt = Date.now();
    expect(changed.status).toBe(200);
    expect(await refusedEverywhereWithin([...others.map((cookie) => ({ cookie })), { token: u.token }], changedAt)).toBeLessThanOrEqual(1000);
    // The session that made the change got a fresh cookie that both nodes accept.
    expect(changed.cookie).toBeDefined();
    for (const node of nodes) expect(await selfStatus(node, { cookie: changed.cookie })).toBe(200);
  });

  it('POST /api/user/manage disable on node B: sessions die on A and B within 1 s and stay dead after enable', async () => {
    if (!db) return;
    const [a, b] = nodes as [string, string];
    const u = await newUser('old-pass-123');
    const sessions = [await signIn(a, u.username, 'old-pass-123'), await signIn(b, u.username, 'old-pass-123')];
    for (const node of nodes) for (const cookie of sessions) expect(await selfStatus(node, { cookie })).toBe(200);

    expect((await call(b, 'POST', '/api/user/manage', { token: rootToken }, { username: u.username, action: 'disable' })).status).toBe(200);
    await refusedEverywhereWithin(sessions.map((cookie) => ({ cookie })), Date.now());
    expect((await call(a, 'POST', '/api/user/manage', { token: rootToken }, { username: u.username, action: 'enable' })).status).toBe(200);
    for (const node of nodes) for (const cookie of sessions) expect(await selfStatus(node, { cookie })).toBe(401);
    expect(await selfStatus(b, { cookie: await signIn(a, u.username, 'old-pass-123') })).toBe(200);
  });

  it('POST /api/user/manage promote on node A and PUT /api/user/ (admin password) on node B end the sessions on both within 1 s', async () => {
    if (!db) return;
    const [a, b] = nodes as [string, string];
    const u = await newUser('old-pass-123');
    let sessions = [await signIn(a, u.username, 'old-pass-123'), await signIn(b, u.username, 'old-pass-123')];
    expect((await call(a, 'POST', '/api/user/manage', { token: rootToken }, { username: u.username, action: 'promote' })).status).toBe(200);
    await refusedEverywhereWithin(sessions.map((cookie) => ({ cookie })), Date.now());

    sessions = [await signIn(a, u.username, 'old-pass-123'), await signIn(b, u.username, 'old-pass-123')];
    const id = (await call(a, 'GET', '/api/user/self', { cookie: sessions[0] })).body.data as { id: number };
    expect((await call(b, 'PUT', '/api/user/', { token: rootToken }, { id: id.id, password: 'admin-set-789' })).status).toBe(200);
    await refusedEverywhereWithin(sessions.map((cookie) => ({ cookie })), Date.now());
  });
});
