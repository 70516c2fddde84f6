import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { envSchema, type Env } from './config.schema';
import { unhonouredOneApiVariables, type UnhonouredVariable } from './one-api-env';

/** Database connection settings, resolved from SQL_DSN or SQLITE_PATH. */
export type DatabaseConfig =
  | { type: 'sqlite'; path: string; busyTimeoutMs: number }
  | {
      type: 'mysql';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
      params: Record<string, string>;
      maxOpen: number;
      maxIdle: number;
      maxLifetimeSeconds: number;
    };

export interface AppConfig {
  env: Env;
  /** embedded: SQLite and in-process caches/jobs; distributed: shared SQL database and Redis. */
  mode: 'embedded' | 'distributed';
  database: DatabaseConfig;
  logDatabase?: DatabaseConfig;
  redisUrl?: string;
  isMaster: boolean;
  /**
   * Cookie key. SESSION_SECRET when set; in embedded mode the one kept in the data folder;
   * otherwise undefined here and read from the database at boot (the master generates it), so
   * every node shares it with nothing to set. The service runtime's config always has it.
   */
  sessionSecret?: string;
  sessionSecretSource: 'env' | 'data-dir' | 'database';
  /** Folder for embedded-mode state (SQLite file, generated session secret). */
  dataDir: string;
  adminUrl: string;
  relayUrl: string;
  consoleUrl: string;
  trustedProxies: string[];
  /** One API variables set in the environment that are accepted but not acted on (warned at start-up). */
  unhonoured: UnhonouredVariable[];
}

/** A config whose session secret has been resolved (the database's, when SESSION_SECRET is unset). */
export type ResolvedConfig = AppConfig & { sessionSecret: string };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid environment variable ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Shortest SESSION_SECRET accepted: `openssl rand -hex 32` gives 64 characters. */
export const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * Fragments of the values that docs, compose files and tutorials show for a session secret
 * (One API's `random_string` first): a secret containing one was copied, not generated.
 */
const EXAMPLE_SECRET_FRAGMENTS = ['random_string', 'randomstring', 'changeme', 'change_me', 'change-me', 'session_secret', 'yoursecret', 'your_secret', 'your-secret', 'openssl rand', 'example', 'secret_key_here'];

/** Why a SESSION_SECRET is refused, or undefined when it is acceptable. */
export function sessionSecretProblem(secret: string): string | undefined {
  const lower = secret.toLowerCase();
  const fragment = EXAMPLE_SECRET_FRAGMENTS.find((f) => lower.includes(f));
  if (fragment) return `looks like an example value (contains "${fragment}")`;
  if (secret.length < MIN_SESSION_SECRET_LENGTH) return `is ${secret.length} characters long; at least ${MIN_SESSION_SECRET_LENGTH} are required`;
  // 'x'.repeat(32) and the like pass the length check but are guessable.
  if (new Set(secret).size < 8) return 'repeats too few distinct characters';
  return undefined;
}

/**
 * Parses One API's `user:pass@tcp(host:port)/db?params` form as well as `mysql://user:pass@host:port/db`.
 */
export function parseSqlDsn(dsn: string, variable = 'SQL_DSN', pool?: Pick<Env, 'SQL_MAX_OPEN_CONNS' | 'SQL_MAX_IDLE_CONNS' | 'SQL_MAX_LIFETIME'>): DatabaseConfig {
  const limits = {
    maxOpen: pool?.SQL_MAX_OPEN_CONNS ?? 20,
    maxIdle: pool?.SQL_MAX_IDLE_CONNS ?? 10,
    maxLifetimeSeconds: pool?.SQL_MAX_LIFETIME ?? 60,
  };
  if (/^postgres(ql)?:\/\//i.test(dsn)) {
    throw new ConfigError(variable, 'PostgreSQL is not supported; use MySQL/MariaDB or leave it empty for SQLite');
  }
  if (/^mysql:\/\//i.test(dsn)) {
    let u: URL;
    try {
      u = new URL(dsn);
    } catch {
      throw new ConfigError(variable, 'not a valid mysql:// URL');
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!u.hostname || !database) throw new ConfigError(variable, 'expected mysql://user:pass@host:3306/database');
    return {
      type: 'mysql',
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database,
      params: Object.fromEntries(u.searchParams.entries()),
      ...limits,
    };
  }
  // Go's go-sql-driver/mysql form: [user[:password]@][net[(addr)]]/dbname[?params]
  const m = /^(?:([^:@]*)(?::(.*))?@)?(?:(tcp|unix)?\(([^)]*)\))?\/([^?]+)(?:\?(.*))?$/.exec(dsn);
  if (!m) {
    throw new ConfigError(variable, "expected mysql://user:pass@host:3306/db or One API's user:pass@tcp(host:3306)/db");
  }
  const [, user = '', pass = '', , addr = '127.0.0.1:3306', database = '', query = ''] = m;
  const [host, portText] = addr.includes(':') ? [addr.slice(0, addr.lastIndexOf(':')), addr.slice(addr.lastIndexOf(':') + 1)] : [addr, '3306'];
  const portNumber = Number(portText);
  if (!host || !Number.isInteger(portNumber)) throw new ConfigError(variable, `bad address "${addr}"`);
  return {
    type: 'mysql',
    host,
    port: portNumber,
    username: user,
    password: pass,
    database,
    params: Object.fromEntries(new URLSearchParams(query).entries()),
    ...limits,
  };
}

function firstIssue(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  return new ConfigError(variable, issue?.message ?? 'invalid value');
}

/** Reads or creates the persistent session secret kept in the data folder (embedded mode). */
function embeddedSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    // Empty: another process is writing it right now (below).
    if (text !== '') {
      const problem = sessionSecretProblem(text);
      // Rewriting it would end every session; the operator decides (delete the file or set SESSION_SECRET).
      if (problem) throw new ConfigError('SESSION_SECRET', `the secret kept in ${file} ${problem}; delete the file to generate a new one, or set SESSION_SECRET`);
      return text;
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx' so two processes starting together agree on the first writer's secret.
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

export interface LoadConfigOptions {
  /** Command-line overrides (e.g. --port, --log-dir) applied on top of the environment. */
  overrides?: Partial<Record<keyof Env, string>>;
}

/** Validates the environment. Throws ConfigError naming the variable on the first bad value. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = options.overrides?.[key as keyof Env] ?? source[key];
    if (value !== undefined) raw[key] = value;
  }
  // An empty value means "unset" for variables with defaults, as in One API.
  for (const [key, value] of Object.entries(raw)) if (value.trim() === '') delete raw[key];
  // One API's DEBUG=true turns on debug logs unless LOG_LEVEL says otherwise.
  if (raw.LOG_LEVEL === undefined && ['true', '1'].includes((source.DEBUG ?? '').trim().toLowerCase())) raw.LOG_LEVEL = 'debug';
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  const env = parsed.data;

  const database: DatabaseConfig = env.SQL_DSN
    ? parseSqlDsn(env.SQL_DSN, 'SQL_DSN', env)
    : { type: 'sqlite', path: resolve(env.SQLITE_PATH), busyTimeoutMs: env.SQLITE_BUSY_TIMEOUT };
  const logDatabase = env.LOG_SQL_DSN ? parseSqlDsn(env.LOG_SQL_DSN, 'LOG_SQL_DSN', env) : undefined;
  if (env.REDIS_CONN_STRING && !/^rediss?:\/\//.test(env.REDIS_CONN_STRING)) {
    throw new ConfigError('REDIS_CONN_STRING', 'expected redis://[:password@]host:6379[/db]');
  }
  const mode = database.type === 'mysql' ? 'distributed' : 'embedded';
  const dataDir = dirname(resolve(env.SQLITE_PATH));

  let sessionSecret: string | undefined;
  let sessionSecretSource: AppConfig['sessionSecretSource'];
  if (env.SESSION_SECRET) {
    const problem = sessionSecretProblem(env.SESSION_SECRET);
    if (problem) throw new ConfigError('SESSION_SECRET', `${problem}; generate one with: openssl rand -hex 32`);
    sessionSecret = env.SESSION_SECRET;
    sessionSecretSource = 'env';
  } else if (mode === 'distributed') {
    sessionSecretSource = 'database';
  } else {
    sessionSecret = embeddedSessionSecret(dataDir);
    sessionSecretSource = 'data-dir';
  }

  if (env.CHANNEL_KEY_SECRET && env.CHANNEL_KEY_SECRET.length < 16) {
    throw new ConfigError('CHANNEL_KEY_SECRET', 'must be at least 16 characters');
  }

  const trustedProxies = env.TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean);

  return {
    env,
    mode,
    database,
    logDatabase,
    redisUrl: env.REDIS_CONN_STRING,
    isMaster: env.NODE_TYPE === 'master',
    sessionSecret,
    sessionSecretSource,
    dataDir,
    adminUrl: env.ADMIN_URL ?? `http://127.0.0.1:${env.ADMIN_PORT}`,
    relayUrl: env.RELAY_URL ?? `http://localhost:${env.PORT}`,
    // FRONTEND_BASE_URL (One API's name) points browsers at the master's console.
    consoleUrl: env.FRONTEND_BASE_URL ?? env.CONSOLE_URL ?? `http://localhost:${env.CONSOLE_PORT}`,
    trustedProxies,
    unhonoured: unhonouredOneApiVariables(source),
  };
}
