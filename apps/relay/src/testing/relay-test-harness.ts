import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadTestEnv } from '@oneapi/config';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { createTestDatabase, startTcpProxy, type DbKind, type TcpProxy, type TestDatabase } from '@oneapi/testing';
import { createRelayApp } from '../relay.app';
import { RelayServices } from '../relay.services';

export interface SeedUser {
  username?: string;
  role?: number;
  status?: number;
  quota?: number;
  group?: string;
}

export interface SeedToken {
  userId: number;
  key?: string;
  name?: string;
  status?: number;
  remainQuota?: number;
  unlimitedQuota?: boolean;
  expiredTime?: number;
  models?: string;
  subnet?: string;
}

export interface SeedChannel {
  type?: number;
  key?: string;
  name?: string;
  baseUrl: string;
  models: string[];
  groups?: string[];
  priority?: number;
  weight?: number;
  status?: number;
  modelMapping?: Record<string, string>;
}

/** A relay listening on 127.0.0.1:<ephemeral> over a fresh test database, plus seeding helpers. */
export interface RelayHarness {
  kind: DbKind;
  db: TestDatabase;
  runtime: ServiceRuntime;
  app: NestFastifyApplication;
  services: RelayServices;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/v1` for the OpenAI SDK's baseURL. */
  baseURL: string;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  createUser(u?: SeedUser): Promise<number>;
  /** Returns the client key `sk-<key>`. */
  createToken(t: SeedToken): Promise<string>;
  createChannel(c: SeedChannel): Promise<number>;
  setOption(key: string, value: string): Promise<void>;
  /** Rebuilds the routing table and drops cached tokens/users (after seeding mid-suite). */
  refresh(): Promise<void>;
  /** Writes pending log rows and batched counters. */
  flush(): Promise<void>;
  /** Rows breaking the money rule (SPEC 13) after a flush: empty when every balance reconciles. */
  drift(): Promise<string[]>;
  close(): Promise<void>;
  /** The cuttable hop in front of MySQL (with `{ dbProxy: true }`). */
  dbProxy?: TcpProxy;
  /** The cuttable hop in front of Redis (with `{ redisProxy: true }`). */
  redisProxy?: TcpProxy;
}

export interface RelayHarnessOptions {
  /** MySQL only: reach the database through a TCP hop the test can cut (`h.dbProxy`). */
  dbProxy?: boolean;
  /** Distributed mode: Redis (TEST_REDIS_URL) through a TCP hop the test can cut (`h.redisProxy`). */
  redisProxy?: boolean;
  /** Another node on this database (not created, not dropped here). */
  db?: TestDatabase;
}

export async function startRelayHarness(kind: DbKind, env: Record<string, string> = {}, options: RelayHarnessOptions = {}): Promise<RelayHarness> {
  const db = options.db ?? (await createTestDatabase(kind));
  let dbProxy: TcpProxy | undefined;
  const dbEnv = { ...db.env };
  if (options.dbProxy && db.config.type === 'mysql') {
    dbProxy = await startTcpProxy(db.config.host, db.config.port);
    dbEnv.SQL_DSN = dbEnv.SQL_DSN.replace(`:${db.config.port}/`, `:${dbProxy.port}/`);
  }
  let redisProxy: TcpProxy | undefined;
  if (options.redisProxy) {
    const redis = new URL(loadTestEnv().redisUrl);
    redisProxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    redis.host = `127.0.0.1:${redisProxy.port}`;
    dbEnv.REDIS_CONN_STRING = redis.toString();
  }
  // The cuttable hops win over the suite's own REDIS_CONN_STRING / SQL_DSN.
  const hops = { ...(dbProxy ? { SQL_DSN: dbEnv.SQL_DSN } : {}), ...(redisProxy ? { REDIS_CONN_STRING: dbEnv.REDIS_CONN_STRING } : {}) };
  const runtime = await createRuntimeFromEnv('relay', { ...dbEnv, SESSION_SECRET: randomBytes(24).toString('hex'), CHANNEL_COOLDOWN_SECONDS: '0', ...env, ...hops });
  const app = await createRelayApp(runtime);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const services = app.get(RelayServices);
  const sql = <T>(query: string, params: unknown[] = []) => runtime.db.source.query(query, params) as Promise<T[]>;
  const insertId = async (query: string, params: unknown[]) => {
    await sql(query, params);
    const rows = await sql<{ id: number }>(kind === 'sqlite' ? 'SELECT last_insert_rowid() AS id' : 'SELECT LAST_INSERT_ID() AS id');
    return Number(rows[0].id);
  };
  const now = Math.floor(Date.now() / 1000);

  const h: RelayHarness = {
    kind,
    db,
    runtime,
    app,
    services,
    url: `http://127.0.0.1:${port}`,
    baseURL: `http://127.0.0.1:${port}/v1`,
    sql,
    createUser: (u = {}) =>
      insertId('INSERT INTO users (username, password, display_name, role, status, quota, granted_quota, `group`, access_token, aff_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)', [
        u.username ?? `u${randomBytes(4).toString('hex')}`,
        'x',
        '',
        u.role ?? 1,
        u.status ?? 1,
        u.quota ?? 100_000_000,
        u.quota ?? 100_000_000,
        u.group ?? 'default',
      ]),
    createToken: async (t) => {
      const key = t.key ?? randomBytes(24).toString('hex');
      await sql(
        'INSERT INTO tokens (user_id, `key`, status, name, created_time, accessed_time, expired_time, remain_quota, granted_quota, unlimited_quota, used_quota, models, subnet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)',
        [t.userId, key, t.status ?? 1, t.name ?? 'test', now, now, t.expiredTime ?? -1, t.remainQuota ?? 0, t.remainQuota ?? 0, t.unlimitedQuota ?? true ? 1 : 0, t.models ?? '', t.subnet ?? ''],
      );
      return `sk-${key}`;
    },
    createChannel: async (c) => {
      const groups = c.groups ?? ['default'];
      const id = await insertId(
        'INSERT INTO channels (type, `key`, status, name, weight, priority, created_time, base_url, models, `group`, model_mapping, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [c.type ?? 1, c.key ?? 'sk-upstream', c.status ?? 1, c.name ?? 'test channel', c.weight ?? 0, c.priority ?? 0, now, c.baseUrl, c.models.join(','), groups.join(','), JSON.stringify(c.modelMapping ?? {}), '{}'],
      );
      for (const g of groups) {
        for (const m of c.models) {
          await sql('INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES (?, ?, ?, ?, ?, ?)', [
            g,
            m,
            id,
            (c.status ?? 1) === 1 ? 1 : 0,
            c.priority ?? 0,
            c.weight ?? 0,
          ]);
        }
      }
      return id;
    },
    setOption: (key, value) => runtime.options.set(key, value),
    refresh: async () => {
      services.auth.tokens.clear();
      services.auth.users.clear();
      await services.router.reload();
    },
    flush: () => services.flush(),
    drift: async () => {
      await services.flush();
      const users = await sql<{ id: number; lhs: number; granted: number; used: number; billed: number }>(
        'SELECT u.id, u.quota + u.used_quota + COALESCE((SELECT SUM(r.amount) FROM reservations r WHERE r.user_id = u.id), 0) AS lhs, u.granted_quota AS granted, u.used_quota AS used,' +
          ' COALESCE((SELECT SUM(l.quota) FROM logs l WHERE l.user_id = u.id AND l.type = 2), 0) AS billed FROM users u',
      );
      const tokens = await sql<{ id: number; lhs: number; granted: number }>(
        'SELECT t.id, t.remain_quota + t.used_quota + COALESCE((SELECT SUM(r.amount) FROM reservations r WHERE r.token_id = t.id AND r.token_charged = 1), 0) AS lhs, t.granted_quota AS granted FROM tokens t WHERE t.unlimited_quota = 0',
      );
      const out: string[] = [];
      for (const u of users) {
        if (Number(u.lhs) !== Number(u.granted)) out.push(`user ${u.id}: balance + used + held = ${u.lhs}, granted ${u.granted}`);
        if (Number(u.used) !== Number(u.billed)) out.push(`user ${u.id}: used ${u.used}, consume logs ${u.billed}`);
      }
      for (const t of tokens) if (Number(t.lhs) !== Number(t.granted)) out.push(`token ${t.id}: remain + used + held = ${t.lhs}, granted ${t.granted}`);
      return out;
    },
    dbProxy,
    redisProxy,
    close: async () => {
      await dbProxy?.restore();
      await redisProxy?.restore();
      await app.close();
      await runtime.close();
      await dbProxy?.close();
      await redisProxy?.close();
      if (!options.db) await db.drop();
    },
  };
  return h;
}

/** A stream answered at its status line: a 200 stays open until `abort()`. */
export interface OpenStream {
  status: number;
  /** The error code of a refusal; null for a 200. */
  code: string | null;
  retryAfter: string | null;
  /** Held so the stream stays open: fetch cancels an unread body once its Response is garbage collected. */
  res: Response;
  abort(): void;
}

/** Starts a streamed chat request on `h` and answers at its status line. */
export async function openStream(h: RelayHarness, key: string, model: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(`${h.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, stream: true }),
    signal: controller.signal,
  });
  const code = res.status === 200 ? null : (JSON.parse(await res.text()) as { error: { code: string } }).error.code;
  return { status: res.status, code, retryAfter: res.headers.get('retry-after'), res, abort: () => controller.abort() };
}

/** Polls until `fn` returns a truthy value (no sleeps to wait for state). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
