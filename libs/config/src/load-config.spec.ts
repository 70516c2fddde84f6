import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseSqlDsn } from './load-config';

/** A secret of the accepted shape (what `openssl rand -hex 32` prints is longer still). */
const SECRET = 'k3y-for-config-spec-0123456789abcdef';

describe('loadConfig', () => {
  const base = { SQLITE_PATH: '/tmp/oneapi-config-spec/one-api.db' };

  it('defaults to embedded mode on SQLite with One API ports', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: SECRET });
    expect(c.mode).toBe('embedded');
    expect(c.database).toMatchObject({ type: 'sqlite', path: '/tmp/oneapi-config-spec/one-api.db' });
    expect(c.env.PORT).toBe(3000);
    expect(c.env.ADMIN_PORT).toBe(3002);
    expect(c.isMaster).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NODE_TYPE', 'leader'],
    ['BATCH_UPDATE_ENABLED', 'maybe'],
    ['REDIS_CONN_STRING', 'localhost:6379'],
    ['SQL_DSN', 'not a dsn'],
    ['CONSOLE_URL', 'nowhere'],
  ])('names %s when its value %s is bad', (variable, value) => {
    expect(() => loadConfig({ ...base, SESSION_SECRET: SECRET, [variable]: value })).toThrow(
      expect.objectContaining({ variable, name: 'ConfigError' }),
    );
  });

  it('distributed mode without SESSION_SECRET leaves the secret to the database; a set one must be strong and wins', () => {
    const dsn = 'root:pw@tcp(127.0.0.1:3306)/oneapi';
    const shared = loadConfig({ SQL_DSN: dsn });
    expect(shared).toMatchObject({ mode: 'distributed', sessionSecretSource: 'database' });
    expect(shared.sessionSecret).toBeUndefined();
    expect(() => loadConfig({ SQL_DSN: dsn, SESSION_SECRET: 'random_string' })).toThrow(/SESSION_SECRET/);
    expect(loadConfig({ SQL_DSN: dsn, SESSION_SECRET: SECRET })).toMatchObject({ mode: 'distributed', sessionSecret: SECRET, sessionSecretSource: 'env' });
  });

  it.each([
    ['16 characters', 'abcdef0123456789'],
    ['31 characters', 'abcdefghij0123456789abcdefghij0'],
    ["One API's example", 'random_string'],
    ['an example padded to length', 'random_string_random_string_random_string'],
    ['a placeholder', 'changeme-changeme-changeme-changeme'],
    ['the .env.example placeholder', '<openssl rand -hex 32>'],
    ['one repeated character', 'x'.repeat(40)],
  ])('refuses a SESSION_SECRET of %s with a boot error naming it (any mode)', (_what, secret) => {
    for (const env of [base, { SQL_DSN: 'root:pw@tcp(127.0.0.1:3306)/oneapi' }]) {
      expect(() => loadConfig({ ...env, SESSION_SECRET: secret })).toThrow(expect.objectContaining({ variable: 'SESSION_SECRET', name: 'ConfigError' }));
    }
  });

  it('accepts what openssl rand -hex 32 and -base64 32 print', () => {
    expect(loadConfig({ ...base, SESSION_SECRET: 'a3f1c9e07b5d24681fe0c3a9b7d5e1f2093c4b6a8d7e5f1c2b3a4d5e6f708192' }).sessionSecret).toHaveLength(64);
    expect(loadConfig({ ...base, SESSION_SECRET: 'qL8vY2m+0aZ3xR7bN1cT5wE9sD4fG6hJ8kP0oI2uU3Y=' }).mode).toBe('embedded');
  });

  it('generates a 64-character secret in the data folder in embedded mode, and refuses a weak one kept there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneapi-secret-'));
    try {
      const first = loadConfig({ SQLITE_PATH: join(dir, 'one-api.db') }).sessionSecret;
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(loadConfig({ SQLITE_PATH: join(dir, 'one-api.db') }).sessionSecret).toBe(first);
      const weak = join(dir, 'weak');
      mkdirSync(weak);
      writeFileSync(join(weak, 'session-secret'), 'short');
      expect(() => loadConfig({ SQLITE_PATH: join(weak, 'one-api.db') })).toThrow(/SESSION_SECRET.*session-secret/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads COOKIE_SECURE and the login failure limits', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: SECRET });
    expect(c.env).toMatchObject({ COOKIE_SECURE: false, LOGIN_FAILURE_LIMIT: 10, LOGIN_FAILURE_USER_LIMIT: 100 });
    expect(loadConfig({ ...base, SESSION_SECRET: SECRET, COOKIE_SECURE: 'true' }).env.COOKIE_SECURE).toBe(true);
    expect(() => loadConfig({ ...base, SESSION_SECRET: SECRET, COOKIE_SECURE: 'always' })).toThrow(expect.objectContaining({ variable: 'COOKIE_SECURE' }));
  });

  it('reads the HTTP socket timeouts (seconds), with defaults and no 0', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: SECRET });
    expect(c.env).toMatchObject({ HTTP_HEADERS_TIMEOUT: 10, HTTP_BODY_TIMEOUT: 30, HTTP_UPLOAD_TIMEOUT: 120, HTTP_KEEP_ALIVE_TIMEOUT: 65 });
    expect(loadConfig({ ...base, SESSION_SECRET: SECRET, HTTP_HEADERS_TIMEOUT: '2', HTTP_BODY_TIMEOUT: '3' }).env).toMatchObject({ HTTP_HEADERS_TIMEOUT: 2, HTTP_BODY_TIMEOUT: 3 });
    for (const variable of ['HTTP_HEADERS_TIMEOUT', 'HTTP_BODY_TIMEOUT', 'HTTP_UPLOAD_TIMEOUT', 'HTTP_KEEP_ALIVE_TIMEOUT']) {
      expect(() => loadConfig({ ...base, SESSION_SECRET: SECRET, [variable]: '0' })).toThrow(expect.objectContaining({ variable }));
    }
  });

  it('sends browsers to FRONTEND_BASE_URL when set', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: SECRET, FRONTEND_BASE_URL: 'https://console.example.com' });
    expect(c.consoleUrl).toBe('https://console.example.com');
  });
});

describe('parseSqlDsn', () => {
  it("reads One API's tcp() form and the mysql:// form alike", () => {
    const a = parseSqlDsn('oneapi:p%40ss@tcp(db.local:3307)/gateway?parseTime=true');
    expect(a).toMatchObject({ type: 'mysql', host: 'db.local', port: 3307, username: 'oneapi', database: 'gateway', params: { parseTime: 'true' } });
    const b = parseSqlDsn('mysql://oneapi:p%40ss@db.local:3307/gateway');
    expect(b).toMatchObject({ type: 'mysql', host: 'db.local', port: 3307, username: 'oneapi', password: 'p@ss', database: 'gateway' });
  });

  it('refuses PostgreSQL with a clear message', () => {
    expect(() => parseSqlDsn('postgres://u@h/db')).toThrow(/PostgreSQL is not supported/);
  });
});
