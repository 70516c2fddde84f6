import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role, UserStatus } from '@oneapi/domain';
import { hashPassword } from '@oneapi/data';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { availableDbKinds, createTestDatabase, type DbKind, type TestDatabase } from '@oneapi/testing';
import { createAdminApp } from '../admin.app';

/** A user created for a test, with the access token that authenticates it (`Authorization: <token>`). */
export interface TestUser {
  id: number;
  username: string;
  accessToken: string;
  role: Role;
}

/** One admin service on a fresh database, listening on an ephemeral port. */
export interface AdminHarness {
  kind: DbKind;
  db: TestDatabase;
  runtime: ServiceRuntime;
  app: NestFastifyApplication;
  /** Root, authenticated by its access token (INITIAL_ROOT_ACCESS_TOKEN). */
  root: TestUser;
  /** supertest against the listening server. */
  http(): ReturnType<typeof request>;
  /** supertest agent keeping cookies (session logins). */
  agent(): ReturnType<typeof request.agent>;
  /** Root's (non-default) password, for session logins. */
  rootPassword: string;
  /** Inserts an enabled user with the given role/quota/group directly in the database. */
  createUser(options?: { role?: Role; quota?: number; group?: string; username?: string; password?: string; email?: string }): Promise<TestUser>;
  /** Runs SQL on the main database (assertions on rows). */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * Starts createAdminApp(createRuntimeFromEnv(...)) on a new test database. Root gets a
 * non-default password and a known access token, so no password-change gate applies.
 * Extra env (e.g. CHANNEL_KEY_SECRET) is passed through; as a function it sees the new database
 * (e.g. to reach it through a proxy).
 */
export async function startAdminHarness(
  kind: DbKind,
  extraEnv: Record<string, string> | ((db: TestDatabase) => Promise<Record<string, string>>) = {},
): Promise<AdminHarness> {
  const db = await createTestDatabase(kind);
  const rootToken = hex(16);
  const rootPassword = `root-${hex(6)}`;
  let runtime: ServiceRuntime | undefined;
  let app: NestFastifyApplication | undefined;
  try {
    const env = typeof extraEnv === 'function' ? await extraEnv(db) : extraEnv;
    runtime = await createRuntimeFromEnv('admin', {
      ...db.env,
      SESSION_SECRET: hex(24),
      INITIAL_ROOT_PASSWORD: rootPassword,
      INITIAL_ROOT_ACCESS_TOKEN: rootToken,
      // Rate limits off unless a suite turns them on (every request comes from 127.0.0.1).
      GLOBAL_API_RATE_LIMIT: '0',
      CRITICAL_RATE_LIMIT: '0',
      LOGIN_FAILURE_LIMIT: '0',
      LOGIN_FAILURE_USER_LIMIT: '0',
      ...env,
    });
    app = await createAdminApp(runtime);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await db.drop();
    throw error;
  }
  const rt = runtime;
  const server = app.getHttpServer();
  const rootRows: Array<{ id: number }> = await rt.db.source.query("SELECT id FROM users WHERE username = 'root'");
  let counter = 0;
  return {
    kind,
    db,
    runtime: rt,
    app,
    root: { id: Number(rootRows[0]?.id), username: 'root', accessToken: rootToken, role: Role.Root },
    http: () => request(server),
    agent: () => request.agent(server),
    rootPassword,
    async createUser(options = {}) {
      counter += 1;
      const username = options.username ?? `u${counter}_${hex(3)}`;
      const accessToken = hex(16);
      const role = options.role ?? Role.Common;
      // Without a password option the user can only authenticate by access token (no bcrypt cost).
      const password = options.password ? await hashPassword(options.password) : '!';
      // Its quota counts as granted, as for any account (SPEC section 13).
      await rt.db.source.query(
        'INSERT INTO users (username, password, display_name, role, status, email, access_token, quota, granted_quota, `group`, aff_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [username, password, username, role, UserStatus.Enabled, options.email ?? '', accessToken, options.quota ?? 0, options.quota ?? 0, options.group ?? 'default', hex(4)],
      );
      const rows: Array<{ id: number }> = await rt.db.source.query('SELECT id FROM users WHERE username = ?', [username]);
      return { id: Number(rows[0]?.id), username, accessToken, role };
    },
    sql: <T,>(query: string, params: unknown[] = []) => rt.db.source.query(query, params) as Promise<T[]>,
    async close() {
      await app?.close();
      await rt.close();
      await db.drop();
    },
  };
}

/**
 * Declares `describe('<title> [sqlite]')` and `[mysql]` blocks, each with one admin service
 * started in beforeAll and closed in afterAll. `get()` is undefined only when MariaDB is
 * unreachable outside CI (availableDbKinds warns loudly; under CI=true it throws instead).
 */
export function describeOnEachDb(title: string, body: (get: () => AdminHarness | undefined) => void, env: Record<string, string> = {}): void {
  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(`${title} [${kind}]`, () => {
      let harness: AdminHarness | undefined;
      beforeAll(async () => {
        if ((await availableDbKinds()).includes(kind)) harness = await startAdminHarness(kind, env);
      });
      afterAll(async () => harness?.close());
      body(() => harness);
    });
  }
}
