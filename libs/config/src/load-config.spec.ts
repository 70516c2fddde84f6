import { ConfigError, loadConfig, parseSqlDsn } from './load-config';

describe('loadConfig', () => {
  const base = { SQLITE_PATH: '/tmp/oneapi-config-spec/one-api.db' };

  it('defaults to embedded mode on SQLite with One API ports', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: 'a-long-enough-secret-value' });
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
    expect(() => loadConfig({ ...base, SESSION_SECRET: 'a-long-enough-secret-value', [variable]: value })).toThrow(
      expect.objectContaining({ variable, name: 'ConfigError' }),
    );
  });

  it('requires a strong SESSION_SECRET in distributed mode', () => {
    const dsn = 'root:pw@tcp(127.0.0.1:3306)/oneapi';
    expect(() => loadConfig({ SQL_DSN: dsn })).toThrow(ConfigError);
    expect(() => loadConfig({ SQL_DSN: dsn, SESSION_SECRET: 'random_string' })).toThrow(/SESSION_SECRET/);
    expect(loadConfig({ SQL_DSN: dsn, SESSION_SECRET: 'a-long-enough-secret-value' }).mode).toBe('distributed');
  });

  it('sends browsers to FRONTEND_BASE_URL when set', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: 'a-long-enough-secret-value', FRONTEND_BASE_URL: 'https://console.example.com' });
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
