import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Role, TokenStatus, UserStatus } from '@oneapi/domain';
import { isUniqueViolation } from './data-source';
import { execAffected } from './sql';
import { hashPassword } from './passwords';

/** One API's default root password, used when INITIAL_ROOT_PASSWORD is not set. */
export const DEFAULT_ROOT_PASSWORD = '123456';
/** Root starts with One API's effectively-unlimited quota. */
const ROOT_QUOTA = 500_000_000_000_000;

export interface BootstrapOptions {
  /** Only a master runs migrations; a slave waits until the master has applied them. */
  isMaster: boolean;
  initialRootPassword?: string;
  initialRootToken?: string;
  initialRootAccessToken?: string;
  /** Create root and the session secret on an empty database (default true; false for a logs-only database). */
  seedRoot?: boolean;
  /** How long a slave waits for the schema, in ms. */
  waitTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface BootstrapResult {
  migrationsApplied: string[];
  rootCreated: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withMigrationLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'mysql' && ds.options.type !== 'mariadb') {
    // SQLite: a single file; concurrent starters serialise on its write lock and the loser retries.
    return fn();
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const rows: Array<{ locked: number | string | null }> = await runner.query("SELECT GET_LOCK('oneapi_migrations', 120) AS locked");
    if (Number(rows[0]?.locked) !== 1) throw new Error('timed out waiting for the migration lock held by another node');
    try {
      return await fn();
    } finally {
      await runner.query("SELECT RELEASE_LOCK('oneapi_migrations')");
    }
  } finally {
    await runner.release();
  }
}

async function runMigrations(ds: DataSource): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } catch (error) {
      // Another SQLite process won the race; its migrations are now visible, so retry sees them applied.
      if (attempt >= 5) throw error;
      await sleep(100 * attempt);
    }
  }
}

/** Applies pending migrations, once, even when several processes start together. */
export async function migrate(ds: DataSource): Promise<string[]> {
  return withMigrationLock(ds, () => runMigrations(ds));
}

/** Name of the shared session secret's row in `system_secrets`. */
const SESSION_SECRET_ROW = 'session';

/**
 * Generates the installation's session secret unless one is stored (master only, under the
 * migration lock): nodes started without SESSION_SECRET all read this one, so a session cookie
 * issued by one admin node is accepted by every other.
 */
export async function ensureSessionSecret(ds: DataSource): Promise<boolean> {
  try {
    const inserted = await execAffected(ds.manager,
      'INSERT INTO system_secrets (name, value, created_time) SELECT ?, ?, ? FROM (SELECT 1 AS one) AS seed WHERE NOT EXISTS (SELECT 1 FROM system_secrets WHERE name = ?)',
      [SESSION_SECRET_ROW, randomBytes(32).toString('hex'), Math.floor(Date.now() / 1000), SESSION_SECRET_ROW],
    );
    return inserted === 1;
  } catch (error) {
    // SQLite has no migration lock: two first starts race and the second insert loses to the key.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * The stored session secret. A slave can see the schema migrated a moment before the master has
 * written the secret, so it waits for it up to timeoutMs.
 */
export async function readSessionSecret(ds: DataSource, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows: Array<{ value: string }> = await ds.query('SELECT value FROM system_secrets WHERE name = ?', [SESSION_SECRET_ROW]);
    const value = rows[0]?.value;
    if (value) return value;
    if (Date.now() > deadline) throw new Error('no session secret stored in the database; start a master node (NODE_TYPE=master) first, or set SESSION_SECRET on every node');
    await sleep(250);
  }
}

async function waitForSchema(ds: DataSource, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending = true;
    try {
      pending = await ds.showMigrations();
    } catch {
      pending = true;
    }
    if (!pending) return;
    if (Date.now() > deadline) throw new Error('database schema is not migrated; start a master node (NODE_TYPE=master) first');
    await sleep(500);
  }
}

/** Creates `root` when the users table is empty (One API's createRootAccountIfNeed). */
export async function ensureRootAccount(ds: DataSource, options: Omit<BootstrapOptions, 'isMaster'>): Promise<boolean> {
  const existing: Array<{ n: number | string }> = await ds.query('SELECT COUNT(*) AS n FROM users');
  if (Number(existing[0]?.n) > 0) return false;
  const password = await hashPassword(options.initialRootPassword ?? DEFAULT_ROOT_PASSWORD);
  const accessToken = options.initialRootAccessToken ?? randomUUID().replace(/-/g, '');
  const affCode = randomBytes(2).toString('hex').toUpperCase();
  let inserted = 0;
  try {
    await ds.transaction(async (m) => {
      // Conditional insert plus the unique username: exactly one root even when two nodes start together.
      inserted = await execAffected(m,
        'INSERT INTO users (username, password, display_name, role, status, access_token, quota, granted_quota, `group`, aff_code) ' +
          "SELECT 'root', ?, 'Root User', ?, ?, ?, ?, ?, 'default', ? FROM (SELECT 1 AS one) AS seed WHERE NOT EXISTS (SELECT 1 FROM users)",
        [password, Role.Root, UserStatus.Enabled, accessToken, ROOT_QUOTA, ROOT_QUOTA, affCode],
      );
      const rows: Array<{ id: number }> = await m.query("SELECT id FROM users WHERE username = 'root'");
      const rootId = rows[0]?.id;
      if (inserted === 1 && rootId !== undefined && options.initialRootToken) {
        const key = options.initialRootToken.replace(/^sk-/, '');
        const now = Math.floor(Date.now() / 1000);
        await m.query(
          'INSERT INTO tokens (user_id, `key`, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota) VALUES (?, ?, ?, ?, ?, ?, -1, 0, 1)',
          [rootId, key, TokenStatus.Enabled, 'Initial Root Token', now, now],
        );
      }
    });
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  return inserted === 1;
}

/** Connects, migrates (master) or waits for the schema (slave), and seeds the root account. */
export async function bootstrapDatabase(ds: DataSource, options: BootstrapOptions): Promise<BootstrapResult> {
  if (!ds.isInitialized) await ds.initialize();
  let migrationsApplied: string[] = [];
  if (options.isMaster) {
    migrationsApplied = await withMigrationLock(ds, async () => {
      const applied = await runMigrations(ds);
      if (options.seedRoot !== false) await ensureSessionSecret(ds);
      return applied;
    });
    if (migrationsApplied.length) options.log?.(`applied migrations: ${migrationsApplied.join(', ')}`);
  } else {
    await waitForSchema(ds, options.waitTimeoutMs ?? 60_000);
  }
  const rootCreated = options.isMaster && options.seedRoot !== false ? await ensureRootAccount(ds, options) : false;
  if (rootCreated) options.log?.('created the root account (username root)');
  return { migrationsApplied, rootCreated };
}
