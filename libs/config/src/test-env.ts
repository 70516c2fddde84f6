/** Settings for the test suite itself (where its MariaDB and Redis are). */
export interface TestEnv {
  /** Server-level DSN; each test run creates and drops its own database on it. */
  sqlDsn: string;
  redisUrl: string;
  /** Under CI a missing MariaDB or Redis fails the run instead of skipping loudly. */
  ci: boolean;
}

export function loadTestEnv(source: NodeJS.ProcessEnv = process.env): TestEnv {
  return {
    sqlDsn: source['TEST_SQL_DSN'] || 'mysql://root@127.0.0.1:3306/',
    redisUrl: source['TEST_REDIS_CONN_STRING'] || 'redis://127.0.0.1:6379',
    ci: ['true', '1'].includes((source['CI'] ?? '').toLowerCase()),
  };
}

/** The environment a spawned service process inherits, plus overrides (tests only). */
export function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(SQL_DSN|LOG_SQL_DSN|REDIS_CONN_STRING|SQLITE_PATH|SESSION_SECRET|PORT|NODE_TYPE)$/.test(key)) delete env[key];
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  return env;
}
