/**
 * Builds a database shaped like the one One API (github.com/songquanpeng/one-api) creates: the
 * tables GORM's AutoMigrate makes from its model/*.go structs, rendered with GORM's type mapping
 * per dialect (Go int → `integer` on SQLite and `bigint` on MySQL, string → `text` / `longtext`,
 * or `varchar(191)` when indexed on MySQL, bool → `numeric` / `boolean`, float64 → `real` /
 * `double`, explicit `gorm:"type:..."` kept). Columns we do not have (lark_id, oidc_id,
 * deleted_at, system_prompt_reset) are included on purpose.
 */
import BetterSqlite3 from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import type { DatabaseConfig } from '@oneapi/config';
import { hashPassword } from '@oneapi/data';

type GoType = 'int' | 'int64' | 'string' | 'bool' | 'float64' | 'time';

interface GormColumn {
  name: string;
  go: GoType;
  /** Explicit `gorm:"type:..."`. */
  type?: string;
  pk?: boolean;
  notNull?: boolean;
  def?: string;
  index?: 'index' | 'unique';
}

const c = (name: string, go: GoType, extra: Partial<GormColumn> = {}): GormColumn => ({ name, go, ...extra });

/** model/user.go (v0.6.x, plus deleted_at as in the soft-deleting forks the brief mentions). */
const USERS = [
  c('id', 'int', { pk: true }),
  c('username', 'string', { index: 'unique' }),
  c('password', 'string', { notNull: true }),
  c('display_name', 'string', { index: 'index' }),
  c('role', 'int', { type: 'int', def: '1' }),
  c('status', 'int', { type: 'int', def: '1' }),
  c('email', 'string', { index: 'index' }),
  c('github_id', 'string', { index: 'index' }),
  c('wechat_id', 'string', { index: 'index' }),
  c('lark_id', 'string', { index: 'index' }),
  c('oidc_id', 'string', { index: 'index' }),
  c('access_token', 'string', { type: 'char(32)', index: 'unique' }),
  c('quota', 'int64', { def: '0' }),
  c('used_quota', 'int64', { def: '0' }),
  c('request_count', 'int', { type: 'int', def: '0' }),
  c('group', 'string', { type: 'varchar(32)', def: "'default'" }),
  c('aff_code', 'string', { type: 'varchar(32)', index: 'unique' }),
  c('inviter_id', 'int', { type: 'int', index: 'index' }),
  c('deleted_at', 'time', { index: 'index' }),
];

/** model/token.go (v0.6.x). */
const TOKENS = [
  c('id', 'int', { pk: true }),
  c('user_id', 'int'),
  c('key', 'string', { type: 'char(48)', index: 'unique' }),
  c('status', 'int', { def: '1' }),
  c('name', 'string', { index: 'index' }),
  c('created_time', 'int64'),
  c('accessed_time', 'int64'),
  c('expired_time', 'int64', { def: '-1' }),
  c('remain_quota', 'int64', { def: '0' }),
  c('unlimited_quota', 'bool', { def: 'false' }),
  c('used_quota', 'int64', { def: '0' }),
  c('models', 'string', { type: 'text' }),
  c('subnet', 'string', { def: "''" }),
];

/** model/channel.go (v0.6.x). */
const CHANNELS = [
  c('id', 'int', { pk: true }),
  c('type', 'int', { def: '0' }),
  c('key', 'string', { type: 'text' }),
  c('status', 'int', { def: '1' }),
  c('name', 'string', { index: 'index' }),
  c('weight', 'int', { def: '0' }),
  c('created_time', 'int64'),
  c('test_time', 'int64'),
  c('response_time', 'int'),
  c('base_url', 'string', { def: "''" }),
  c('other', 'string'),
  c('balance', 'float64'),
  c('balance_updated_time', 'int64'),
  c('models', 'string'),
  c('group', 'string', { type: 'varchar(32)', def: "'default'" }),
  c('used_quota', 'int64', { def: '0' }),
  c('model_mapping', 'string', { type: 'varchar(1024)', def: "''" }),
  c('priority', 'int64', { def: '0' }),
  c('config', 'string'),
  c('system_prompt', 'string', { type: 'text' }),
];

/** model/ability.go (v0.6.x: no weight column). */
const ABILITIES = [
  c('group', 'string', { type: 'varchar(32)', pk: true }),
  c('model', 'string', { pk: true }),
  c('channel_id', 'int', { pk: true, index: 'index' }),
  c('enabled', 'bool'),
  c('priority', 'int64', { def: '0', index: 'index' }),
];

/** model/redemption.go (no used_by). */
const REDEMPTIONS = [
  c('id', 'int', { pk: true }),
  c('user_id', 'int'),
  c('key', 'string', { type: 'char(32)', index: 'unique' }),
  c('status', 'int', { def: '1' }),
  c('name', 'string', { index: 'index' }),
  c('quota', 'int64', { def: '100' }),
  c('created_time', 'int64'),
  c('redeemed_time', 'int64'),
];

/** model/log.go (v0.6.x, with system_prompt_reset). */
const LOGS = [
  c('id', 'int', { pk: true }),
  c('user_id', 'int', { index: 'index' }),
  c('created_at', 'int64', { index: 'index' }),
  c('type', 'int', { index: 'index' }),
  c('content', 'string'),
  c('username', 'string', { def: "''", index: 'index' }),
  c('token_name', 'string', { def: "''", index: 'index' }),
  c('model_name', 'string', { def: "''", index: 'index' }),
  c('quota', 'int', { def: '0' }),
  c('prompt_tokens', 'int', { def: '0' }),
  c('completion_tokens', 'int', { def: '0' }),
  c('channel_id', 'int', { index: 'index' }),
  c('request_id', 'string', { def: "''" }),
  c('elapsed_time', 'int64', { def: '0' }),
  c('is_stream', 'bool', { def: 'false' }),
  c('system_prompt_reset', 'bool', { def: 'false' }),
];

/** model/option.go. */
const OPTIONS = [c('key', 'string', { pk: true }), c('value', 'string')];

export const ONE_API_TABLES: Record<string, GormColumn[]> = {
  users: USERS,
  tokens: TOKENS,
  channels: CHANNELS,
  abilities: ABILITIES,
  redemptions: REDEMPTIONS,
  logs: LOGS,
  options: OPTIONS,
};

/** An older One API (v0.5): no token quota/models/subnet, no channel priority/config, abilities without priority, no options. */
export const OLD_ONE_API_TABLES: Record<string, GormColumn[]> = {
  users: USERS.filter((col) => !['lark_id', 'oidc_id', 'deleted_at'].includes(col.name)),
  tokens: TOKENS.filter((col) => !['used_quota', 'models', 'subnet'].includes(col.name)).map((col) => (col.name === 'key' ? { ...col, type: 'char(32)' } : col)),
  channels: [...CHANNELS.filter((col) => !['priority', 'config', 'system_prompt'].includes(col.name)), c('allow_streaming', 'bool'), c('allow_non_streaming', 'bool')],
  abilities: ABILITIES.filter((col) => col.name !== 'priority'),
  redemptions: REDEMPTIONS,
  logs: LOGS.filter((col) => !['request_id', 'elapsed_time', 'is_stream', 'system_prompt_reset'].includes(col.name)),
};

type Dialect = 'sqlite' | 'mysql';

function columnType(col: GormColumn, dialect: Dialect): string {
  if (col.type) return col.type === 'int' && dialect === 'sqlite' ? 'integer' : col.type;
  const keyed = col.pk || col.index !== undefined;
  switch (col.go) {
    case 'int':
    case 'int64':
      return dialect === 'sqlite' ? 'integer' : 'bigint';
    case 'string':
      return dialect === 'sqlite' ? 'text' : keyed ? 'varchar(191)' : 'longtext';
    case 'bool':
      return dialect === 'sqlite' ? 'numeric' : 'boolean';
    case 'float64':
      return dialect === 'sqlite' ? 'real' : 'double';
    case 'time':
      return dialect === 'sqlite' ? 'datetime' : 'datetime(3)';
  }
}

/** CREATE TABLE and CREATE INDEX statements as GORM's migrator emits them. */
export function gormDdl(tables: Record<string, GormColumn[]>, dialect: Dialect): string[] {
  const statements: string[] = [];
  for (const [table, columns] of Object.entries(tables)) {
    const pks = columns.filter((col) => col.pk);
    const autoId = pks.length === 1 && pks[0]?.name === 'id';
    const defs = columns.map((col) => {
      let def = `\`${col.name}\` ${columnType(col, dialect)}`;
      if (autoId && col.name === 'id' && dialect === 'mysql') def += ' AUTO_INCREMENT';
      if (col.notNull) def += ' NOT NULL';
      if (col.def !== undefined) def += ` DEFAULT ${dialect === 'mysql' && col.def === 'false' ? 'false' : col.def}`;
      return def;
    });
    defs.push(`PRIMARY KEY (${pks.map((col) => `\`${col.name}\``).join(',')})`);
    statements.push(`CREATE TABLE \`${table}\` (${defs.join(',')})`);
    for (const col of columns) {
      if (!col.index) continue;
      statements.push(`CREATE ${col.index === 'unique' ? 'UNIQUE ' : ''}INDEX \`idx_${table}_${col.name}\` ON \`${table}\`(\`${col.name}\`)`);
    }
  }
  return statements;
}

/** Go's bcrypt writes `$2a$`; the algorithm is the same as Node bcrypt's `$2b$`. */
export async function goBcryptHash(password: string): Promise<string> {
  return (await hashPassword(password)).replace(/^\$2b\$/, '$2a$');
}

export type FixtureRow = Record<string, string | number | null>;

/** The rows of the reference fixture, keyed by table (filled by `referenceRows`). */
export interface FixtureData {
  [table: string]: FixtureRow[];
}

export const PASSWORDS = { root: 'root-pass-123', alice: 'alice-pass-1' };

export const TOKEN_KEYS = {
  root: 'RootKey0123456789abcdefghijklmnopqrstuvwxyzABCDE'.slice(0, 48),
  alice: 'AliceKey0123456789abcdefghijklmnopqrstuvwxyzABCD'.slice(0, 48),
  carol: 'CarolKey0123456789abcdefghijklmnopqrstuvwxyzABCD'.slice(0, 48),
  orphan: 'OrphanKey0123456789abcdefghijklmnopqrstuvwxyzABC'.slice(0, 48),
};

/**
 * Users: root (One API's root has aff_code ''), alice, bob (invited by alice), carol
 * (soft-deleted), dave (GitHub-only: empty password and access token). Tokens: root's, alice's,
 * carol's (owner soft-deleted) and one of a user that no longer exists. Channels: OpenAI, and an
 * Azure channel keeping its api version in `other` as older One API versions did.
 */
export async function referenceRows(): Promise<FixtureData> {
  const now = 1_750_000_000;
  return {
    users: [
      { id: 1, username: 'root', password: await goBcryptHash(PASSWORDS.root), display_name: 'Root User', role: 100, status: 1, email: 'root@example.com', github_id: '', wechat_id: '', lark_id: '', oidc_id: '', access_token: 'a'.repeat(32), quota: 500_000_000_000_000, used_quota: 1234, request_count: 7, group: 'default', aff_code: '', inviter_id: 0, deleted_at: null },
      { id: 2, username: 'alice', password: await goBcryptHash(PASSWORDS.alice), display_name: 'Alice', role: 1, status: 1, email: 'alice@example.com', github_id: '', wechat_id: '', lark_id: 'lark-alice', oidc_id: '', access_token: 'b'.repeat(32), quota: 900_000, used_quota: 100_000, request_count: 42, group: 'vip', aff_code: 'AB12', inviter_id: 0, deleted_at: null },
      { id: 3, username: 'bob', password: await goBcryptHash('bob-pass-22'), display_name: 'Bob', role: 10, status: 2, email: '', github_id: '', wechat_id: 'wx-bob', lark_id: '', oidc_id: 'oidc-bob', access_token: 'c'.repeat(32), quota: 0, used_quota: 0, request_count: 0, group: 'default', aff_code: 'CD34', inviter_id: 2, deleted_at: null },
      { id: 4, username: 'carol', password: await goBcryptHash('carol-pass-3'), display_name: 'Carol', role: 1, status: 1, email: '', github_id: '', wechat_id: '', lark_id: '', oidc_id: '', access_token: 'd'.repeat(32), quota: 5, used_quota: 0, request_count: 0, group: 'default', aff_code: 'GH78', inviter_id: 0, deleted_at: '2025-01-02 03:04:05' },
      { id: 5, username: 'dave', password: '', display_name: 'dave', role: 1, status: 1, email: '', github_id: 'gh-1001', wechat_id: '', lark_id: '', oidc_id: '', access_token: '', quota: 10, used_quota: 0, request_count: 0, group: 'default', aff_code: 'EF56', inviter_id: 0, deleted_at: null },
    ],
    tokens: [
      { id: 1, user_id: 1, key: TOKEN_KEYS.root, status: 1, name: 'root token', created_time: now, accessed_time: now, expired_time: -1, remain_quota: 0, unlimited_quota: 1, used_quota: 50, models: '', subnet: '' },
      { id: 2, user_id: 2, key: TOKEN_KEYS.alice, status: 1, name: 'alice app', created_time: now, accessed_time: now, expired_time: now + 86_400, remain_quota: 1000, unlimited_quota: 0, used_quota: 10, models: 'gpt-4o,gpt-4o-mini', subnet: '10.0.0.0/8' },
      { id: 3, user_id: 4, key: TOKEN_KEYS.carol, status: 1, name: 'carol', created_time: now, accessed_time: now, expired_time: -1, remain_quota: 5, unlimited_quota: 0, used_quota: 0, models: null, subnet: '' },
      { id: 4, user_id: 99, key: TOKEN_KEYS.orphan, status: 1, name: 'orphan', created_time: now, accessed_time: now, expired_time: -1, remain_quota: 5, unlimited_quota: 0, used_quota: 0, models: null, subnet: '' },
    ],
    channels: [
      { id: 1, type: 1, key: 'sk-upstream-openai', status: 1, name: 'openai main', weight: 3, created_time: now, test_time: now, response_time: 321, base_url: '', other: '', balance: 12.5, balance_updated_time: now, models: 'gpt-4o,gpt-4o-mini', group: 'default,vip', used_quota: 99, model_mapping: '{"gpt-4":"gpt-4o"}', priority: 5, config: '{}', system_prompt: null },
      { id: 2, type: 3, key: 'azure-key-1', status: 2, name: 'azure east', weight: 0, created_time: now, test_time: 0, response_time: 0, base_url: 'https://east.openai.azure.com', other: '2024-02-15-preview', balance: 0, balance_updated_time: 0, models: 'gpt-35-turbo', group: 'default', used_quota: 0, model_mapping: '', priority: 0, config: '', system_prompt: 'be brief' },
    ],
    abilities: [
      { group: 'default', model: 'gpt-4o', channel_id: 1, enabled: 1, priority: 5 },
      { group: 'default', model: 'gpt-4o-mini', channel_id: 1, enabled: 1, priority: 5 },
      { group: 'vip', model: 'gpt-4o', channel_id: 1, enabled: 1, priority: 5 },
      { group: 'vip', model: 'gpt-4o-mini', channel_id: 1, enabled: 1, priority: 5 },
      { group: 'default', model: 'gpt-35-turbo', channel_id: 2, enabled: 0, priority: 0 },
    ],
    redemptions: [
      { id: 1, user_id: 1, key: 'R'.repeat(31) + '1', status: 1, name: 'launch', quota: 500_000, created_time: now, redeemed_time: 0 },
      { id: 2, user_id: 1, key: 'R'.repeat(31) + '2', status: 3, name: 'launch', quota: 500_000, created_time: now, redeemed_time: now + 60 },
    ],
    logs: [
      { id: 1, user_id: 2, created_at: now, type: 2, content: 'model ratio 2.50', username: 'alice', token_name: 'alice app', model_name: 'gpt-4o', quota: 150, prompt_tokens: 20, completion_tokens: 10, channel_id: 1, request_id: 'req-1', elapsed_time: 850, is_stream: 1, system_prompt_reset: 0 },
      { id: 2, user_id: 3, created_at: now + 1, type: 1, content: 'redeemed', username: 'bob', token_name: '', model_name: '', quota: 500_000, prompt_tokens: 0, completion_tokens: 0, channel_id: 0, request_id: '', elapsed_time: 0, is_stream: 0, system_prompt_reset: 0 },
      { id: 3, user_id: 4, created_at: now + 2, type: 2, content: '', username: 'carol', token_name: 'carol', model_name: 'gpt-35-turbo', quota: 5, prompt_tokens: 1, completion_tokens: 1, channel_id: 2, request_id: 'req-3', elapsed_time: 10, is_stream: 0, system_prompt_reset: 1 },
    ],
    options: [
      { key: 'SystemName', value: 'My One API' },
      { key: 'QuotaForNewUser', value: '1000' },
      { key: 'ModelRatio', value: '{"gpt-4o":2.5}' },
    ],
  };
}

function insertStatements(data: FixtureData, tables: Record<string, GormColumn[]>): Array<{ sql: string; params: unknown[] }> {
  const out: Array<{ sql: string; params: unknown[] }> = [];
  for (const [table, rows] of Object.entries(data)) {
    const columns = tables[table];
    if (!columns) continue;
    for (const row of rows) {
      const names = columns.map((col) => col.name).filter((name) => name in row);
      out.push({ sql: `INSERT INTO \`${table}\` (${names.map((n) => `\`${n}\``).join(',')}) VALUES (${names.map(() => '?').join(',')})`, params: names.map((n) => row[n]) });
    }
  }
  return out;
}

/** Writes a One API SQLite file at `path`. */
export function writeOneApiSqlite(path: string, data: FixtureData, tables: Record<string, GormColumn[]> = ONE_API_TABLES): void {
  const db = new BetterSqlite3(path);
  try {
    for (const sql of gormDdl(tables, 'sqlite')) db.exec(sql);
    for (const { sql, params } of insertStatements(data, tables)) db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** Writes One API's tables and rows into an (empty) MySQL database. */
export async function writeOneApiMysql(config: Extract<DatabaseConfig, { type: 'mysql' }>, data: FixtureData, tables: Record<string, GormColumn[]> = ONE_API_TABLES): Promise<void> {
  const conn = await createConnection({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database });
  try {
    for (const sql of gormDdl(tables, 'mysql')) await conn.query(sql);
    for (const { sql, params } of insertStatements(data, tables)) await conn.query(sql, params);
  } finally {
    await conn.end();
  }
}
