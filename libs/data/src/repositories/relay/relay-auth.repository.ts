import type { Database } from '../../database';

/** The token fields the relay authenticates with (one row of `tokens`). */
export interface RelayTokenRow {
  id: number;
  userId: number;
  key: string;
  name: string;
  status: number;
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  usedQuota: number;
  /** Comma-separated allow-list; '' = every model. */
  models: string;
  /** Comma-separated CIDRs; '' = any address. */
  subnet: string;
}

/** The user fields the relay needs (never the password). */
export interface RelayUserRow {
  id: number;
  username: string;
  role: number;
  status: number;
  group: string;
  quota: number;
  usedQuota: number;
}

type Raw = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function tokenRow(r: Raw): RelayTokenRow {
  return {
    id: num(r.id),
    userId: num(r.user_id),
    key: str(r.key),
    name: str(r.name),
    status: num(r.status),
    expiredTime: num(r.expired_time),
    remainQuota: num(r.remain_quota),
    unlimitedQuota: num(r.unlimited_quota) === 1,
    usedQuota: num(r.used_quota),
    models: str(r.models),
    subnet: str(r.subnet),
  };
}

function userRow(r: Raw): RelayUserRow {
  return {
    id: num(r.id),
    username: str(r.username),
    role: num(r.role),
    status: num(r.status),
    group: str(r.group) || 'default',
    quota: num(r.quota),
    usedQuota: num(r.used_quota),
  };
}

const TOKEN_COLUMNS = 'id, user_id, `key`, name, status, expired_time, remain_quota, unlimited_quota, used_quota, models, subnet';
const USER_COLUMNS = 'id, username, role, status, `group`, quota, used_quota';

/**
 * Read side of relay authentication: plain SQL with the few columns the hot path needs. Results
 * are cached by the relay (see apps/relay's auth cache), so these run on a cold cache only.
 */
export class RelayAuthRepository {
  constructor(private readonly db: Database) {}

  async findTokenByKey(key: string): Promise<RelayTokenRow | null> {
    const rows: Raw[] = await this.db.source.query(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE \`key\` = ? LIMIT 1`, [key]);
    return rows[0] ? tokenRow(rows[0]) : null;
  }

  async findTokenById(id: number): Promise<RelayTokenRow | null> {
    const rows: Raw[] = await this.db.source.query(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE id = ? LIMIT 1`, [id]);
    return rows[0] ? tokenRow(rows[0]) : null;
  }

  async findUserById(id: number): Promise<RelayUserRow | null> {
    const rows: Raw[] = await this.db.source.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = ? LIMIT 1`, [id]);
    return rows[0] ? userRow(rows[0]) : null;
  }
}
