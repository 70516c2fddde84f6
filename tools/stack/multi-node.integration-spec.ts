import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import OpenAI from 'openai';
import { childEnv, loadTestEnv, parseSqlDsn } from '@oneapi/config';
import {
  WORKSPACE_ROOT,
  createTestDatabase,
  distFile,
  freePort,
  isMysqlAvailable,
  startFakeOpenAI,
  startProcess,
  waitForHttp,
  type FakeUpstream,
  type RunningProcess,
  type TestDatabase,
} from '@oneapi/testing';

/**
 * SPEC section 10 (multi-node): one admin (master) and two relays (slaves) on a shared MariaDB and
 * Redis, as separate processes. Warm relays read the database zero times per request, and a token
 * or user disabled through the admin API is refused by every relay within seconds (Redis pub/sub
 * invalidation), not after a sync period.
 */
describe('multi-node: admin + two relays on MariaDB and Redis', () => {
  const accessToken = randomBytes(16).toString('hex');
  const relayUser = `relay_${randomBytes(3).toString('hex')}`;
  const relayPassword = randomBytes(8).toString('hex');
  let db: TestDatabase | undefined;
  let upstream: FakeUpstream;
  const procs: RunningProcess[] = [];
  let adminUrl = '';
  const relayUrls: string[] = [];

  async function asRoot() {
    const server = parseSqlDsn(loadTestEnv().sqlDsn.replace(/\/$/, '/mysql'), 'TEST_SQL_DSN');
    if (server.type !== 'mysql') throw new Error('TEST_SQL_DSN must be MySQL');
    return createConnection({ host: server.host, port: server.port, user: server.username, password: server.password });
  }

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { success: boolean; message: string; data: T };
    if (!res.ok || !json.success) throw new Error(`${method} ${path}: ${res.status} ${json.message}`);
    return json.data;
  }

  async function selectsByRelays(): Promise<number> {
    const conn = await asRoot();
    try {
      const [rows] = await conn.query('SELECT SELECT_COMMANDS AS n FROM information_schema.USER_STATISTICS WHERE USER = ?', [relayUser]);
      return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
    } finally {
      await conn.end();
    }
  }

  beforeAll(async () => {
    if (!(await isMysqlAvailable())) return;
    db = await createTestDatabase('mysql');
    if (db.config.type !== 'mysql') throw new Error('expected a MySQL test database');
    const conn = await asRoot();
    // Per-user statement counters (MariaDB's userstat) isolate the relays' reads from anything else.
    await conn.query('SET GLOBAL userstat = 1');
    await conn.query(`CREATE USER '${relayUser}'@'%' IDENTIFIED BY '${relayPassword}'`);
    await conn.query(`GRANT ALL PRIVILEGES ON \`${db.config.database}\`.* TO '${relayUser}'@'%'`);
    await conn.end();

    upstream = await startFakeOpenAI();
    const common = {
      REDIS_CONN_STRING: loadTestEnv().redisUrl,
      SESSION_SECRET: 'multi-node-secret-0123456789abcdef',
      LOG_LEVEL: 'warn',
      // Long enough that nothing expires or re-syncs during the test: invalidation must do the work.
      SYNC_FREQUENCY: '600',
      CACHE_TTL_SECONDS: '600',
    };
    const adminPort = await freePort();
    adminUrl = `http://127.0.0.1:${adminPort}`;
    const admin = startProcess(process.execPath, [distFile('apps/admin/src/main.js')], {
      cwd: WORKSPACE_ROOT,
      env: childEnv({
        ...common,
        ...db.env,
        NODE_TYPE: 'master',
        ADMIN_PORT: String(adminPort),
        INITIAL_ROOT_PASSWORD: 'multi-node-root-pw',
        INITIAL_ROOT_ACCESS_TOKEN: accessToken,
        GLOBAL_API_RATE_LIMIT: '0',
        CRITICAL_RATE_LIMIT: '0',
      }),
    });
    procs.push(admin);
    await waitForHttp(`${adminUrl}/readyz`, { process: admin, timeoutMs: 90_000 });

    const { host, port, database } = db.config;
    for (let i = 0; i < 2; i++) {
      const relayPort = await freePort();
      const relay = startProcess(process.execPath, [distFile('apps/relay/src/main.js')], {
        cwd: WORKSPACE_ROOT,
        env: childEnv({ ...common, SQL_DSN: `${relayUser}:${relayPassword}@tcp(${host}:${port})/${database}`, NODE_TYPE: 'slave', PORT: String(relayPort) }),
      });
      procs.push(relay);
      relayUrls.push(`http://127.0.0.1:${relayPort}`);
      await waitForHttp(`http://127.0.0.1:${relayPort}/readyz`, { process: relay, timeoutMs: 90_000 });
    }
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await upstream?.close();
    if (db) {
      const conn = await asRoot();
      await conn.query(`DROP USER IF EXISTS '${relayUser}'@'%'`);
      await conn.end();
      await db.drop();
    }
  });

  it('serves warm requests without database reads and applies admin changes on every relay within seconds', async () => {
    if (!db) return;
    await api('POST', '/api/channel/', { type: 1, name: 'fake', key: 'sk-upstream', base_url: upstream.url, models: 'gpt-4o-mini', group: 'default' });
    const token = await api<{ id: number; key: string }>('POST', '/api/token/', { name: 'multi', remain_quota: 0, unlimited_quota: true, expired_time: -1 });
    const clients = relayUrls.map((url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: `sk-${token.key}`, maxRetries: 0 }));
    const chat = (c: OpenAI) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

    // The channel reaches both relays through the invalidation bus; then warm their caches.
    const deadline = Date.now() + 10_000;
    for (const c of clients) {
      for (;;) {
        try {
          await chat(c);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      await chat(c);
    }

    const before = await selectsByRelays();
    // The counter does see the relays (they read tokens, users and channels while warming up).
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) for (const c of clients) expect((await chat(c)).choices[0].message.content).toBeTruthy();
    const after = await selectsByRelays();
    expect(after - before).toBe(0);

    // Disable the token in the admin: both relays refuse it within a few seconds.
    const disabledAt = Date.now();
    await api('PUT', '/api/token/?status_only=1', { id: token.id, status: 2 });
    for (const c of clients) {
      for (;;) {
        const status = await chat(c).then(
          () => 200,
          (e: { status?: number }) => e.status ?? 0,
        );
        if (status === 403 || status === 401) break;
        expect(Date.now() - disabledAt).toBeLessThan(5_000);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(Date.now() - disabledAt).toBeLessThan(5_000);
  });
});
