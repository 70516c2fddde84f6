import { convertRow } from './one-api-columns';
import { parseOneApiSourceLocation } from './one-api-source';

describe('parseOneApiSourceLocation', () => {
  it("reads One API's go-sql-driver DSN and mysql:// URLs as MySQL", () => {
    expect(parseOneApiSourceLocation('oneapi:s3cret@tcp(db.local:3307)/oneapi?parseTime=true')).toMatchObject({
      kind: 'mysql',
      config: { host: 'db.local', port: 3307, username: 'oneapi', password: 's3cret', database: 'oneapi' },
    });
    expect(parseOneApiSourceLocation('mysql://root@127.0.0.1/one')).toMatchObject({ kind: 'mysql', config: { host: '127.0.0.1', port: 3306, database: 'one' } });
  });

  it('takes anything else as a SQLite file that must exist', () => {
    expect(parseOneApiSourceLocation(__filename)).toEqual({ kind: 'sqlite', path: __filename });
    expect(() => parseOneApiSourceLocation('/nonexistent/one-api.db')).toThrow(/no such SQLite file/);
    expect(() => parseOneApiSourceLocation('postgres://u@h/db')).toThrow(/PostgreSQL/);
    expect(() => parseOneApiSourceLocation('  ')).toThrow(/empty/);
  });
});

describe('convertRow', () => {
  const cols = (...names: string[]) => new Set(names);

  it('defaults absent columns, keeps NULL in nullable ones and maps bools', () => {
    const { row, skip } = convertRow('tokens', { id: 3, user_id: '2', key: 'k'.repeat(32), unlimited_quota: 't', models: null }, cols('id', 'user_id', 'key', 'unlimited_quota', 'models'));
    expect(skip).toBeUndefined();
    expect(row).toMatchObject({ id: 3, user_id: 2, status: 1, expired_time: -1, unlimited_quota: 1, models: null, subnet: '', used_quota: 0 });
  });

  it("stores '' as NULL in unique optional columns and skips rows missing a required one", () => {
    const all = cols('id', 'username', 'password', 'access_token', 'aff_code');
    expect(convertRow('users', { id: 1, username: 'root', password: 'x', access_token: '', aff_code: '' }, all).row).toMatchObject({ access_token: null, aff_code: null, group: 'default' });
    expect(convertRow('users', { id: 1, username: '', password: 'x' }, all).skip).toBe('missing username');
    expect(convertRow('users', { id: 'abc', username: 'x', password: 'x' }, all).skip).toBe('non-numeric id');
  });

  it('truncates display text, skips over-long keys', () => {
    const all = cols('id', 'name', 'key', 'user_id');
    const long = convertRow('redemptions', { id: 1, key: 'r'.repeat(32), name: 'n'.repeat(70), user_id: 1 }, all);
    expect(long.row['name']).toBe('n'.repeat(64));
    expect(long.adjusted).toEqual(['name truncated to 64 characters']);
    expect(convertRow('redemptions', { id: 1, key: 'r'.repeat(33), name: '', user_id: 1 }, all).skip).toBe('key longer than 32 characters');
  });
});
