import { envSchema } from './config.schema';
import { loadConfig } from './load-config';
import { UNHONOURED_ONE_API_VARIABLES, unhonouredOneApiVariables, unhonouredWarning } from './one-api-env';

/**
 * Every variable One API reads (`os.Getenv`/`env.*` in common/config/config.go, common/*.go,
 * model/main.go, main.go, router/main.go), and the `--log-dir` flag's LOG_DIR.
 */
const ONE_API_VARIABLES = [
  'DEBUG', 'DEBUG_SQL', 'MEMORY_CACHE_ENABLED', 'NODE_TYPE', 'POLLING_INTERVAL', 'SYNC_FREQUENCY', 'BATCH_UPDATE_INTERVAL', 'RELAY_TIMEOUT',
  'GEMINI_SAFETY_SETTING', 'THEME', 'GLOBAL_API_RATE_LIMIT', 'GLOBAL_WEB_RATE_LIMIT', 'ENABLE_METRIC', 'METRIC_QUEUE_SIZE',
  'METRIC_SUCCESS_RATE_THRESHOLD', 'METRIC_SUCCESS_CHAN_SIZE', 'METRIC_FAIL_CHAN_SIZE', 'INITIAL_ROOT_TOKEN', 'INITIAL_ROOT_ACCESS_TOKEN',
  'GEMINI_VERSION', 'ONLY_ONE_LOG_FILE', 'RELAY_PROXY', 'USER_CONTENT_REQUEST_PROXY', 'USER_CONTENT_REQUEST_TIMEOUT', 'ENFORCE_INCLUDE_USAGE',
  'TEST_PROMPT', 'SQLITE_BUSY_TIMEOUT', 'SESSION_SECRET', 'SQLITE_PATH', 'REDIS_CONN_STRING', 'REDIS_PASSWORD', 'REDIS_MASTER_NAME', 'GIN_MODE',
  'CHANNEL_TEST_FREQUENCY', 'CHANNEL_UPDATE_FREQUENCY', 'BATCH_UPDATE_ENABLED', 'PORT', 'SQL_DSN', 'LOG_SQL_DSN', 'SQL_MAX_IDLE_CONNS',
  'SQL_MAX_OPEN_CONNS', 'SQL_MAX_LIFETIME', 'FRONTEND_BASE_URL', 'LOG_DIR',
];

const SECRET = 'k3y-for-config-spec-0123456789abcdef';
const base = { SQLITE_PATH: '/tmp/oneapi-config-spec/one-api.db', SESSION_SECRET: SECRET };

describe("One API's environment variables", () => {
  it('are each honoured (in the schema) or named as not honoured', () => {
    const handled = (name: string) => name in envSchema.shape || name in UNHONOURED_ONE_API_VARIABLES || name === 'DEBUG';
    expect(ONE_API_VARIABLES.filter((v) => !handled(v))).toEqual([]);
  });

  it('names every unhonoured variable that is set, in one warning', () => {
    const c = loadConfig({ ...base, THEME: 'berry', REDIS_MASTER_NAME: 'mymaster', ENABLE_METRIC: 'true', GEMINI_VERSION: 'v1', DEBUG_SQL: '' });
    expect(c.unhonoured.map((v) => v.name).sort()).toEqual(['ENABLE_METRIC', 'REDIS_MASTER_NAME', 'THEME']);
    const warning = unhonouredWarning(c.unhonoured);
    expect(warning).toMatch(/THEME \(the console has one theme\)/);
    expect(warning).toMatch(/REDIS_MASTER_NAME/);
    expect(warning).not.toMatch(/GEMINI_VERSION/);
  });

  it('stays silent when none is set', () => {
    expect(unhonouredOneApiVariables({ PORT: '3000', RELAY_PROXY: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(unhonouredWarning([])).toBeUndefined();
  });

  it('reads the honoured ones: proxies, ENFORCE_INCLUDE_USAGE, GEMINI_VERSION, TEST_PROMPT, DEBUG', () => {
    const c = loadConfig({
      ...base,
      RELAY_PROXY: 'http://user:pw@127.0.0.1:3128',
      USER_CONTENT_REQUEST_PROXY: 'socks5://127.0.0.1:1080',
      USER_CONTENT_REQUEST_TIMEOUT: '5',
      ENFORCE_INCLUDE_USAGE: 'true',
      GEMINI_VERSION: 'v1',
      TEST_PROMPT: 'say hi',
      DEBUG: 'true',
    });
    expect(c.env).toMatchObject({
      RELAY_PROXY: 'http://user:pw@127.0.0.1:3128',
      USER_CONTENT_REQUEST_PROXY: 'socks5://127.0.0.1:1080',
      USER_CONTENT_REQUEST_TIMEOUT: 5,
      ENFORCE_INCLUDE_USAGE: true,
      GEMINI_VERSION: 'v1',
      TEST_PROMPT: 'say hi',
      LOG_LEVEL: 'debug',
    });
    expect(loadConfig({ ...base, DEBUG: 'true', LOG_LEVEL: 'warn' }).env.LOG_LEVEL).toBe('warn');
  });

  it.each(['ftp://127.0.0.1:21', 'not a url', 'socks4://127.0.0.1:1080'])('refuses RELAY_PROXY=%s naming the variable', (value) => {
    expect(() => loadConfig({ ...base, RELAY_PROXY: value })).toThrow(expect.objectContaining({ variable: 'RELAY_PROXY' }));
  });
});
