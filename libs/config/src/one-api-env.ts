/**
 * One API's environment variables that this project accepts without acting on them, each with
 * the reason an operator moving over should know. Every other One API variable is honoured (it
 * is in `envSchema` and read where One API reads it). The list comes from One API's
 * `common/config/config.go`, `common/*.go`, `model/main.go` and `main.go` (`os.Getenv`/`env.*`).
 */
export const UNHONOURED_ONE_API_VARIABLES: Readonly<Record<string, string>> = {
  DEBUG_SQL: 'SQL statements are not logged',
  MEMORY_CACHE_ENABLED: 'channels, tokens and users are always cached in memory (CACHE_TTL_SECONDS)',
  BATCH_UPDATE_ENABLED: 'quota is settled per request in one conditional UPDATE; there is no batch updater',
  BATCH_UPDATE_INTERVAL: 'quota is settled per request; there is no batch updater',
  THEME: 'the console has one theme',
  GLOBAL_WEB_RATE_LIMIT: 'the console pages are not rate limited per IP (GLOBAL_API_RATE_LIMIT covers /api)',
  GEMINI_SAFETY_SETTING: 'Gemini safety filters are always BLOCK_NONE, as One API defaults to',
  ENABLE_METRIC: "One API's success-rate channel disabling is not implemented; failures are classified per reply",
  METRIC_QUEUE_SIZE: "One API's success-rate channel disabling is not implemented",
  METRIC_SUCCESS_RATE_THRESHOLD: "One API's success-rate channel disabling is not implemented",
  METRIC_SUCCESS_CHAN_SIZE: "One API's success-rate channel disabling is not implemented",
  METRIC_FAIL_CHAN_SIZE: "One API's success-rate channel disabling is not implemented",
  ONLY_ONE_LOG_FILE: 'LOG_DIR receives one file per service',
  REDIS_PASSWORD: 'put the password in REDIS_CONN_STRING (redis://:password@host:6379)',
  REDIS_MASTER_NAME: 'Redis Sentinel is not supported; point REDIS_CONN_STRING at the master',
  GIN_MODE: 'the services are not Gin; use LOG_LEVEL',
};

/** A One API variable set in the environment that this project does not act on. */
export interface UnhonouredVariable {
  name: string;
  reason: string;
}

/** The One API variables set (non-empty) in `source` that are accepted but not acted on. */
export function unhonouredOneApiVariables(source: NodeJS.ProcessEnv): UnhonouredVariable[] {
  return Object.entries(UNHONOURED_ONE_API_VARIABLES)
    .filter(([name]) => (source[name] ?? '').trim() !== '')
    .map(([name, reason]) => ({ name, reason }));
}

/** One start-up warning naming every unhonoured variable that is set, or undefined when none is. */
export function unhonouredWarning(vars: readonly UnhonouredVariable[]): string | undefined {
  if (vars.length === 0) return undefined;
  return `One API environment variables set but not honoured: ${vars.map((v) => `${v.name} (${v.reason})`).join('; ')}`;
}
