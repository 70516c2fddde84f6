import { existsSync } from 'node:fs';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig, DatabaseConfig } from '@oneapi/config';
import { ChannelStatus, getChannelType, Role } from '@oneapi/domain';
import { bootstrapDatabase } from '../bootstrap';
import { createChannelKeyCipher, ENCRYPTED_CHANNEL_KEY_PREFIX, type ChannelKeyCipher } from '../channel-key-cipher';
import { openDataSource } from '../data-source';
import { splitCommaList } from '../repositories/ability.repository';
import { withSqliteWriteLock } from '../repositories/sql-helpers';
import { convertRow, IMPORT_COLUMNS, type ImportTable, type TargetRow, type TargetValue } from './one-api-columns';
import { openOneApiSource, type OneApiSource, type SourceRow } from './one-api-source';

export { parseOneApiSourceLocation, openOneApiSource, type OneApiSource, type OneApiSourceLocation } from './one-api-source';

/** Tables in import order: referenced rows (users, channels) before the rows that reference them. */
export const IMPORT_TABLES = ['users', 'tokens', 'channels', 'abilities', 'redemptions', 'logs', 'options'] as const;

export interface OneApiImportOptions {
  /** SQLite file path, `mysql://user:pass@host:3306/db`, or One API's `user:pass@tcp(host:3306)/db`. */
  from: string;
  /** The target: `database` (and `logDatabase`), INITIAL_ROOT_*, CHANNEL_KEY_SECRET from `env`. */
  target: AppConfig;
  /** Write (default false: dry run, the target is not touched, not even migrated). */
  apply?: boolean;
  /** Import into a target that already has data (duplicates are skipped, colliding ids shifted). */
  merge?: boolean;
  /** Source rows read and inserted per statement batch (default 500). */
  batchSize?: number;
  log?: (message: string) => void;
}

export interface ImportTableReport {
  table: ImportTable;
  /** The source has no such table (older One API, or logs kept in a LOG_SQL_DSN database). */
  missingInSource: boolean;
  found: number;
  /** Rows imported (apply) or that would be imported (dry run). */
  imported: number;
  /** Reason → rows not imported. */
  skipped: Record<string, number>;
  /** Change → rows imported with a value changed (truncated, cleared, moved, encrypted...). */
  adjusted: Record<string, number>;
  /** Source columns we have no place for. */
  droppedColumns: string[];
  /** Our columns the source lacks, filled with their defaults. */
  defaultedColumns: string[];
  /** Added to every source id (merge into a target whose ids overlap); 0 = ids preserved. */
  idOffset: number;
  notes: string[];
  /**
   * Reason → source ids of rows imported as they are but that will not work here: channels of a
   * type the relay does not serve (PaLM, unknown ids), so the operator moves them before relying on them.
   */
  flagged: Record<string, number[]>;
}

/** What the target held before the import. */
export type ImportTargetState = 'empty' | 'fresh' | 'has-data';

export interface OneApiImportReport {
  mode: 'dry-run' | 'apply';
  source: string;
  target: string;
  targetState: ImportTargetState;
  merge: boolean;
  /** Set when --apply was refused; nothing was written. */
  refused?: string;
  /** The target's auto-created root account is (or would be) replaced by the source's users. */
  rootReplaced: boolean;
  tables: ImportTableReport[];
}

/** Thrown for an unusable source (not a One API database, unreadable). */
export class OneApiImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OneApiImportError';
  }
}

/**
 * Channel types whose setting lived in the deprecated `other` column before One API moved it to
 * `config` (One API's middleware/distributor.go SetupContextForSelectedChannel reads `other`
 * when the config field is empty): Ali's plugin, iFlytek/Azure/Gemini API versions, AIProxy's
 * library id.
 */
const OTHER_TO_CONFIG: Record<number, string> = { 3: 'api_version', 17: 'plugin', 18: 'api_version', 21: 'library_id', 24: 'api_version' };

const NEEDED_SOURCE_TABLES = ['users', 'tokens', 'channels'];

interface TargetHandles {
  main: DataSource | null;
  logs: DataSource | null;
  close(): Promise<void>;
}

interface ExistingKeys {
  usernames: Set<string>;
  accessTokens: Set<string>;
  affCodes: Set<string>;
  tokenKeys: Set<string>;
  redemptionKeys: Set<string>;
  optionKeys: Set<string>;
}

interface ImportedChannel {
  id: number;
  status: number;
  group: string;
  models: string | null;
  priority: number;
  weight: number;
}

interface RunContext {
  source: OneApiSource;
  sourceTables: Set<string>;
  target: TargetHandles;
  apply: boolean;
  batchSize: number;
  /** Unique keys compare case-insensitively on MySQL (utf8mb4_unicode_ci) and exactly on SQLite. */
  norm: (value: string) => string;
  existing: ExistingKeys;
  /** Source user id → target user id, for imported users only. */
  userIds: Map<number, number>;
  channelIds: Map<number, number>;
  channels: ImportedChannel[];
  cipher: ChannelKeyCipher;
  merging: boolean;
  /** Root's id in a fresh target (deleted when the source's users are written). */
  freshRootId: number | null;
  log: (message: string) => void;
}

function describeTarget(db: DatabaseConfig): string {
  return db.type === 'sqlite' ? db.path : `${db.username ? `${db.username}@` : ''}${db.host}:${db.port}/${db.database}`;
}

function count(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

async function tableExists(ds: DataSource, table: string): Promise<boolean> {
  try {
    await ds.query(`SELECT 1 FROM \`${table}\` LIMIT 1`);
    return true;
  } catch {
    return false;
  }
}

async function scalar(ds: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows: Array<Record<string, unknown>> = await ds.query(sql, params);
  const first = rows[0];
  return first ? Number(Object.values(first)[0] ?? 0) : 0;
}

async function openTarget(config: AppConfig, apply: boolean, log: (m: string) => void): Promise<TargetHandles> {
  const opened: DataSource[] = [];
  const close = async () => {
    for (const ds of opened) if (ds.isInitialized) await ds.destroy();
  };
  try {
    const open = async (db: DatabaseConfig, seedRoot: boolean): Promise<DataSource | null> => {
      // A dry run leaves the target untouched: a missing SQLite file is an empty target, not one to create.
      if (!apply && db.type === 'sqlite' && !existsSync(db.path)) return null;
      const ds = await openDataSource(db);
      opened.push(ds);
      if (apply) {
        await bootstrapDatabase(ds, {
          isMaster: true,
          seedRoot,
          initialRootPassword: config.env.INITIAL_ROOT_PASSWORD,
          initialRootToken: config.env.INITIAL_ROOT_TOKEN,
          initialRootAccessToken: config.env.INITIAL_ROOT_ACCESS_TOKEN,
          log,
        });
      }
      return ds;
    };
    const main = await open(config.database, true);
    const logs = config.logDatabase ? await open(config.logDatabase, false) : main;
    return { main, logs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** empty: no schema or no rows; fresh: only the auto-created root (and its initial token); else has-data. */
async function inspectTarget(target: TargetHandles): Promise<{ state: ImportTargetState; rootId: number | null }> {
  const ds = target.main;
  if (!ds || !(await tableExists(ds, 'users'))) return { state: 'empty', rootId: null };
  const users: Array<{ id: number | string; username: string; role: number | string }> = await ds.query('SELECT id, username, role FROM users ORDER BY id LIMIT 2');
  const otherRows =
    (await scalar(ds, 'SELECT COUNT(*) FROM channels')) + (await scalar(ds, 'SELECT COUNT(*) FROM redemptions')) + (await scalar(ds, 'SELECT COUNT(*) FROM abilities'));
  const logRows = target.logs && (await tableExists(target.logs, 'logs')) ? await scalar(target.logs, 'SELECT COUNT(*) FROM logs') : 0;
  const root = users.length === 1 && users[0]?.username === 'root' && Number(users[0].role) === Role.Root ? Number(users[0].id) : null;
  const foreignTokens = await scalar(ds, 'SELECT COUNT(*) FROM tokens WHERE user_id <> ?', [root ?? -1]);
  if (users.length === 0 && otherRows + logRows + foreignTokens === 0) return { state: 'empty', rootId: null };
  if (root !== null && otherRows + logRows + foreignTokens === 0) return { state: 'fresh', rootId: root };
  return { state: 'has-data', rootId: null };
}

async function loadExistingKeys(target: TargetHandles, merging: boolean, norm: (v: string) => string): Promise<ExistingKeys> {
  const keys: ExistingKeys = { usernames: new Set(), accessTokens: new Set(), affCodes: new Set(), tokenKeys: new Set(), redemptionKeys: new Set(), optionKeys: new Set() };
  const ds = target.main;
  if (!ds || !(await tableExists(ds, 'users'))) return keys;
  const collect = async (sql: string, into: Set<string>) => {
    const rows: Array<{ v: unknown }> = await ds.query(sql);
    for (const r of rows) if (r.v !== null && r.v !== undefined && r.v !== '') into.add(norm(String(r.v)));
  };
  await collect('SELECT `key` AS v FROM options', keys.optionKeys);
  // A fresh target's root is replaced, so its name, tokens and codes do not count as duplicates.
  if (!merging) return keys;
  await collect('SELECT username AS v FROM users', keys.usernames);
  await collect('SELECT access_token AS v FROM users', keys.accessTokens);
  await collect('SELECT aff_code AS v FROM users', keys.affCodes);
  await collect('SELECT `key` AS v FROM tokens', keys.tokenKeys);
  await collect('SELECT `key` AS v FROM redemptions', keys.redemptionKeys);
  return keys;
}

function newTableReport(table: ImportTable): ImportTableReport {
  return { table, missingInSource: false, found: 0, imported: 0, skipped: {}, adjusted: {}, droppedColumns: [], defaultedColumns: [], idOffset: 0, notes: [], flagged: {} };
}

/** Our columns for a table, plus the source-only columns we knowingly fold into them. */
const CONSUMED_EXTRA: Partial<Record<ImportTable, string[]>> = { users: ['deleted_at'] };

async function describeColumns(ctx: RunContext, table: ImportTable, report: ImportTableReport): Promise<Set<string>> {
  const sourceColumns = new Set(await ctx.source.columnNames(table));
  const ours = (IMPORT_COLUMNS[table] as Array<{ name: string }>).map((c) => c.name);
  const consumed = new Set([...ours, ...(CONSUMED_EXTRA[table] ?? [])]);
  report.droppedColumns = [...sourceColumns].filter((c) => !consumed.has(c));
  report.defaultedColumns = ours.filter((c) => !sourceColumns.has(c));
  return sourceColumns;
}

/** Shifts ids only when merging into a target whose ids overlap the source's. */
async function idOffset(ctx: RunContext, ds: DataSource | null, table: ImportTable): Promise<number> {
  if (!ctx.merging || !ds) return 0;
  const range = await ctx.source.idRange(table);
  if (!range) return 0;
  const targetMax = await scalar(ds, `SELECT COALESCE(MAX(id), 0) FROM \`${table}\``);
  return range.min <= targetMax ? targetMax : 0;
}

async function insertRows(manager: EntityManager, table: string, rows: TargetRow[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0] as TargetRow);
  // Multi-row INSERTs, well under SQLite's 32766 bound parameters.
  const perStatement = Math.max(1, Math.floor(4000 / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: TargetValue[] = [];
    for (const row of chunk) for (const c of columns) params.push(row[c] ?? null);
    await manager.query(
      `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ${chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`,
      params,
    );
  }
}

/**
 * One API keeps no record of what it granted; everything an imported user or token holds or has
 * spent was granted at some point (SPEC section 13), as the money-ledger migration assumes for
 * existing rows. Runs in the import's transaction, on the rows just inserted.
 */
async function grantWhatIsHeld(manager: EntityManager, table: 'users' | 'tokens', rows: TargetRow[]): Promise<void> {
  const held = table === 'users' ? 'quota + used_quota' : 'remain_quota + used_quota';
  const ids = rows.map((r) => Number(r['id']));
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await manager.query(`UPDATE \`${table}\` SET granted_quota = ${held} WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
  }
}

/** Runs fn in one transaction on ds (apply), or with no manager at all (dry run). */
async function inTransaction<T>(ctx: RunContext, ds: DataSource | null, fn: (manager: EntityManager | null) => Promise<T>): Promise<T> {
  if (!ctx.apply || !ds) return fn(null);
  return withSqliteWriteLock(ds, () => ds.transaction((m) => fn(m)));
}

type RowHook = (row: TargetRow, source: SourceRow, adjusted: string[]) => string | undefined;

/** Reads a source table batch by batch, converts and checks each row, and hands the keepers to `sink`. */
async function importRows(ctx: RunContext, table: ImportTable, report: ImportTableReport, hook: RowHook, sink: (rows: TargetRow[]) => Promise<void>): Promise<void> {
  const sourceColumns = await describeColumns(ctx, table, report);
  for await (const batch of ctx.source.batches(table, ctx.batchSize)) {
    const keep: TargetRow[] = [];
    for (const source of batch) {
      report.found++;
      const converted = convertRow(table, source, sourceColumns);
      const skip = converted.skip ?? hook(converted.row, source, converted.adjusted);
      if (skip) {
        count(report.skipped, skip);
        continue;
      }
      for (const a of converted.adjusted) count(report.adjusted, a);
      keep.push(converted.row);
    }
    report.imported += keep.length;
    await sink(keep);
  }
}

function remap(ids: Map<number, number>, value: TargetValue): number {
  const id = Number(value ?? 0);
  return id === 0 ? 0 : (ids.get(id) ?? 0);
}

async function importUsers(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.main;
  report.idOffset = await idOffset(ctx, ds, 'users');
  const offset = report.idOffset;
  const seen = new Map<string, 'target' | 'source'>();
  for (const name of ctx.existing.usernames) seen.set(name, 'target');
  const inviters = new Map<TargetRow, number>();
  const rows: TargetRow[] = [];
  await importRows(
    ctx,
    'users',
    report,
    (row, source, adjusted) => {
      // Forks of One API soft-delete users (GORM DeletedAt); such rows are gone for them too.
      if (source['deleted_at'] !== null && source['deleted_at'] !== undefined && source['deleted_at'] !== '' && source['deleted_at'] !== 0) return 'soft-deleted in the source (deleted_at set)';
      const name = ctx.norm(String(row['username']));
      const dup = seen.get(name);
      if (dup) return dup === 'target' ? 'username already exists in the target' : 'duplicate username in the source (usernames are case-insensitive on MySQL)';
      seen.set(name, 'source');
      for (const [column, set] of [
        ['access_token', ctx.existing.accessTokens],
        ['aff_code', ctx.existing.affCodes],
      ] as const) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const key = ctx.norm(String(value));
        if (set.has(key)) {
          row[column] = null;
          adjusted.push(`${column} already taken: cleared`);
        } else set.add(key);
      }
      const sourceId = Number(row['id']);
      row['id'] = sourceId + offset;
      ctx.userIds.set(sourceId, sourceId + offset);
      inviters.set(row, Number(row['inviter_id'] ?? 0));
      return undefined;
    },
    async (batch) => {
      rows.push(...batch);
    },
  );
  // Inviters resolve once every user id is known (an inviter may sort after the invitee).
  let lostInviters = 0;
  for (const row of rows) {
    const inviter = inviters.get(row) ?? 0;
    row['inviter_id'] = remap(ctx.userIds, inviter);
    if (inviter !== 0 && row['inviter_id'] === 0) lostInviters++;
  }
  if (lostInviters) count(report.adjusted, 'inviter not imported: inviter_id set to 0', lostInviters);
  if (ctx.freshRootId !== null && rows.length) report.notes.push(`the target's auto-created root account (id ${ctx.freshRootId}) is replaced by the source's users`);
  await inTransaction(ctx, ds, async (m) => {
    if (!m) return;
    if (ctx.freshRootId !== null && rows.length) {
      await m.query('DELETE FROM tokens WHERE user_id = ?', [ctx.freshRootId]);
      await m.query('DELETE FROM users WHERE id = ?', [ctx.freshRootId]);
    }
    await insertRows(m, 'users', rows);
    await grantWhatIsHeld(m, 'users', rows);
  });
}

async function importTokens(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.main;
  report.idOffset = await idOffset(ctx, ds, 'tokens');
  const seen = new Map<string, 'target' | 'source'>();
  for (const key of ctx.existing.tokenKeys) seen.set(key, 'target');
  await inTransaction(ctx, ds, (m) =>
    importRows(
      ctx,
      'tokens',
      report,
      (row) => {
        const owner = ctx.userIds.get(Number(row['user_id']));
        if (owner === undefined) return 'its user was not imported (missing, skipped or soft-deleted)';
        const key = ctx.norm(String(row['key']));
        const dup = seen.get(key);
        if (dup) return dup === 'target' ? 'key already exists in the target' : 'duplicate key in the source';
        seen.set(key, 'source');
        row['user_id'] = owner;
        row['id'] = Number(row['id']) + report.idOffset;
        return undefined;
      },
      async (rows) => {
        if (!m) return;
        await insertRows(m, 'tokens', rows);
        await grantWhatIsHeld(m, 'tokens', rows);
      },
    ),
  );
}

function parseJsonObject(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function importChannels(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.main;
  report.idOffset = await idOffset(ctx, ds, 'channels');
  await inTransaction(ctx, ds, (m) =>
    importRows(
      ctx,
      'channels',
      report,
      (row, _source, adjusted) => {
        const rawConfig = String(row['config'] ?? '').trim();
        let config: Record<string, unknown> = {};
        if (rawConfig) {
          const parsed = parseJsonObject(rawConfig);
          if (parsed) config = parsed;
          else adjusted.push('config is not a JSON object: cleared');
        }
        const legacyField = OTHER_TO_CONFIG[Number(row['type'])];
        const other = String(row['other'] ?? '').trim();
        if (legacyField && other && !String(config[legacyField] ?? '').trim()) {
          config[legacyField] = other;
          adjusted.push(`legacy \`other\` copied to config.${legacyField}`);
        }
        row['config'] = Object.keys(config).length ? JSON.stringify(config) : rawConfig && parseJsonObject(rawConfig) ? rawConfig : '';
        const key = String(row['key']);
        if (ctx.cipher.enabled && !key.startsWith(ENCRYPTED_CHANNEL_KEY_PREFIX)) {
          row['key'] = ctx.apply ? ctx.cipher.encrypt(key) : key;
          adjusted.push('key encrypted with CHANNEL_KEY_SECRET');
        }
        const sourceId = Number(row['id']);
        const type = Number(row['type']);
        const info = getChannelType(type);
        if (!info?.implemented) {
          const why = info ? `type ${type} (${info.name}) does not relay: ${info.notImplementedReason ?? 'not supported'}` : `type ${type} is not a channel type this relay knows; its requests will fail`;
          (report.flagged[why] ??= []).push(sourceId);
        }
        row['id'] = sourceId + report.idOffset;
        ctx.channelIds.set(sourceId, sourceId + report.idOffset);
        ctx.channels.push({
          id: Number(row['id']),
          status: Number(row['status']),
          group: String(row['group'] ?? ''),
          models: row['models'] === null ? null : String(row['models']),
          priority: Number(row['priority'] ?? 0),
          weight: Number(row['weight'] ?? 0),
        });
        return undefined;
      },
      async (rows) => {
        if (m) await insertRows(m, 'channels', rows);
      },
    ),
  );
}

/**
 * Abilities are derived from channels (SPEC section 4). The source's rows are kept when they
 * are exactly what the imported channels derive; otherwise (missing table, rows of other
 * channels, untrimmed model names, stale priorities) the table is rebuilt from the channels.
 * Either way the written rows are the derived ones, carrying each channel's weight.
 */
async function importAbilities(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const derived = new Map<string, TargetRow>();
  const keyOf = (group: string, model: string, channelId: number) => `${group}\u0000${model}\u0000${channelId}`;
  for (const ch of ctx.channels) {
    for (const group of splitCommaList(ch.group)) {
      for (const model of splitCommaList(ch.models)) {
        if ([...group].length > 32 || [...model].length > 128) {
          count(report.skipped, 'derived group longer than 32 or model longer than 128 characters');
          continue;
        }
        derived.set(keyOf(group, model, ch.id), { group, model, channel_id: ch.id, enabled: ch.status === ChannelStatus.Enabled ? 1 : 0, priority: ch.priority, weight: ch.weight });
      }
    }
  }
  let mismatched = 0;
  if (!ctx.sourceTables.has('abilities')) {
    report.missingInSource = true;
  } else {
    const sourceColumns = await describeColumns(ctx, 'abilities', report);
    for await (const batch of ctx.source.batches('abilities', ctx.batchSize)) {
      for (const source of batch) {
        report.found++;
        const channelId = ctx.channelIds.get(Number(source['channel_id']));
        const want = channelId === undefined ? undefined : derived.get(keyOf(String(source['group'] ?? ''), String(source['model'] ?? ''), channelId));
        const enabled = convertRow('abilities', source, sourceColumns).row['enabled'];
        const priority = Number(source['priority'] ?? 0);
        if (!want || want['enabled'] !== enabled || (sourceColumns.has('priority') && Number(want['priority']) !== priority)) mismatched++;
      }
    }
  }
  const consistent = !report.missingInSource && mismatched === 0 && report.found === derived.size;
  if (consistent) report.notes.push('source abilities match the channels: copied');
  else {
    const why = report.missingInSource
      ? 'the source has no abilities table'
      : `${mismatched} source row(s) do not match their channel and ${Math.max(0, derived.size - (report.found - mismatched))} channel ability(ies) are missing`;
    report.notes.push(`rebuilt from channels (${why})`);
    if (mismatched) count(report.skipped, 'inconsistent with its channel (rebuilt from channels)', mismatched);
  }
  report.imported = derived.size;
  await inTransaction(ctx, ctx.target.main, async (m) => {
    if (m) await insertRows(m, 'abilities', [...derived.values()]);
  });
}

async function importRedemptions(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.main;
  report.idOffset = await idOffset(ctx, ds, 'redemptions');
  const seen = new Map<string, 'target' | 'source'>();
  for (const key of ctx.existing.redemptionKeys) seen.set(key, 'target');
  await inTransaction(ctx, ds, (m) =>
    importRows(
      ctx,
      'redemptions',
      report,
      (row, _source, adjusted) => {
        const key = ctx.norm(String(row['key']));
        const dup = seen.get(key);
        if (dup) return dup === 'target' ? 'key already exists in the target' : 'duplicate key in the source';
        seen.set(key, 'source');
        for (const column of ['user_id', 'used_by']) {
          const before = Number(row[column] ?? 0);
          row[column] = remap(ctx.userIds, before);
          if (before !== 0 && row[column] === 0) adjusted.push(`${column} refers to a user not imported: set to 0`);
        }
        row['id'] = Number(row['id']) + report.idOffset;
        return undefined;
      },
      async (rows) => {
        if (m) await insertRows(m, 'redemptions', rows);
      },
    ),
  );
}

async function importLogs(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.logs;
  report.idOffset = await idOffset(ctx, ds, 'logs');
  await inTransaction(ctx, ds, (m) =>
    importRows(
      ctx,
      'logs',
      report,
      (row, _source, adjusted) => {
        const userId = Number(row['user_id'] ?? 0);
        row['user_id'] = remap(ctx.userIds, userId);
        if (userId !== 0 && row['user_id'] === 0) adjusted.push('user not imported: user_id set to 0 (username kept)');
        const channelId = Number(row['channel_id'] ?? 0);
        row['channel_id'] = remap(ctx.channelIds, channelId);
        if (channelId !== 0 && row['channel_id'] === 0) adjusted.push('channel not imported: channel_id set to 0');
        row['id'] = Number(row['id']) + report.idOffset;
        return undefined;
      },
      async (rows) => {
        if (m) await insertRows(m, 'logs', rows);
      },
    ),
  );
}

async function importOptions(ctx: RunContext, report: ImportTableReport): Promise<void> {
  const ds = ctx.target.main;
  const replace: string[] = [];
  const rows: TargetRow[] = [];
  await importRows(
    ctx,
    'options',
    report,
    (row, _source, adjusted) => {
      const key = String(row['key']);
      if (ctx.existing.optionKeys.has(ctx.norm(key))) {
        if (ctx.merging) return 'the target already has this option (its value is kept)';
        replace.push(key);
        adjusted.push("replaced the fresh target's value");
      }
      return undefined;
    },
    async (batch) => {
      rows.push(...batch);
    },
  );
  await inTransaction(ctx, ds, async (m) => {
    if (!m) return;
    for (const key of replace) await m.query('DELETE FROM options WHERE `key` = ?', [key]);
    await insertRows(m, 'options', rows);
  });
}

const IMPORTERS: Record<ImportTable, (ctx: RunContext, report: ImportTableReport) => Promise<void>> = {
  users: importUsers,
  tokens: importTokens,
  channels: importChannels,
  abilities: importAbilities,
  redemptions: importRedemptions,
  logs: importLogs,
  options: importOptions,
};

/**
 * Imports a One API database into the configured one, or (default) reports what an import
 * would do without touching the target. With `apply`, the target is migrated first, a target
 * with data beyond the auto-created root is refused unless `merge`, and each table is copied in
 * its own transaction with ids preserved (so references hold).
 */
export async function importOneApiDatabase(options: OneApiImportOptions): Promise<OneApiImportReport> {
  const apply = options.apply ?? false;
  const merge = options.merge ?? false;
  const log = options.log ?? (() => undefined);
  const source = await openOneApiSource(options.from);
  try {
    const sourceTables = await source.tableNames();
    const missing = NEEDED_SOURCE_TABLES.filter((t) => !sourceTables.has(t));
    if (missing.length) throw new OneApiImportError(`${source.description} is not a One API database: no ${missing.join(', ')} table`);
    const targetDb = options.target.database;
    if (source.location.kind === 'sqlite' && targetDb.type === 'sqlite' && source.location.path === targetDb.path) {
      throw new OneApiImportError('--from is the target database itself');
    }
    const target = await openTarget(options.target, apply, log);
    try {
      const { state, rootId } = await inspectTarget(target);
      const report: OneApiImportReport = {
        mode: apply ? 'apply' : 'dry-run',
        source: source.description,
        target: describeTarget(targetDb),
        targetState: state,
        merge,
        rootReplaced: false,
        tables: [],
      };
      if (state === 'has-data' && !merge) {
        const why = 'the target already has data beyond the auto-created root account; re-run with --merge to import into it (duplicates skipped, colliding ids shifted)';
        if (apply) {
          report.refused = why;
          return report;
        }
      }
      const merging = state === 'has-data';
      const norm = targetDb.type === 'mysql' ? (v: string) => v.toLowerCase().replace(/ +$/, '') : (v: string) => v;
      const ctx: RunContext = {
        source,
        sourceTables,
        target,
        apply,
        batchSize: Math.max(1, options.batchSize ?? 500),
        norm,
        existing: await loadExistingKeys(target, merging, norm),
        userIds: new Map(),
        channelIds: new Map(),
        channels: [],
        cipher: createChannelKeyCipher(options.target.env.CHANNEL_KEY_SECRET),
        merging,
        freshRootId: state === 'fresh' ? rootId : null,
        log,
      };
      for (const table of IMPORT_TABLES) {
        const tableReport = newTableReport(table);
        report.tables.push(tableReport);
        if (table !== 'abilities' && !sourceTables.has(table)) {
          tableReport.missingInSource = true;
          continue;
        }
        log(`${apply ? 'importing' : 'checking'} ${table}`);
        await IMPORTERS[table](ctx, tableReport);
      }
      // An empty target gets a root account when --apply migrates it; the source's users replace it.
      report.rootReplaced = (ctx.freshRootId !== null || (!apply && state === 'empty')) && (report.tables[0]?.imported ?? 0) > 0;
      return report;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** The report as text for the terminal (one block per table). */
export function formatOneApiImportReport(report: OneApiImportReport): string {
  const verb = report.mode === 'apply' ? 'imported' : 'would import';
  const lines: string[] = [];
  lines.push(`One API import (${report.mode === 'apply' ? 'APPLIED' : 'dry run: nothing written'})`);
  lines.push(`  source: ${report.source}`);
  lines.push(`  target: ${report.target} (${report.targetState === 'has-data' ? 'has data' : report.targetState}${report.merge ? ', --merge' : ''})`);
  if (report.refused) {
    lines.push(`  REFUSED: ${report.refused}`);
    return lines.join('\n');
  }
  if (report.mode === 'dry-run' && report.targetState === 'has-data' && !report.merge) {
    lines.push('  note: the target has data; --apply will refuse unless --merge is given (counts below assume --merge)');
  }
  if (report.rootReplaced) lines.push(`  the target's auto-created root account ${report.mode === 'apply' ? 'was' : 'will be'} replaced by the source's users`);
  for (const t of report.tables) {
    lines.push('');
    if (t.missingInSource && t.table !== 'abilities') {
      lines.push(`${t.table}: not in the source`);
      continue;
    }
    const skippedTotal = Object.values(t.skipped).reduce((a, b) => a + b, 0);
    lines.push(`${t.table}: found ${t.found}, ${verb} ${t.imported}, skipped ${skippedTotal}`);
    for (const [reason, n] of Object.entries(t.skipped)) lines.push(`  skipped ${n}: ${reason}`);
    for (const [change, n] of Object.entries(t.adjusted)) lines.push(`  adjusted ${n}: ${change}`);
    for (const [why, ids] of Object.entries(t.flagged)) lines.push(`  FLAGGED ${ids.length} (${ids.map((id) => `#${id}`).join(', ')}): ${why}`);
    if (t.idOffset) lines.push(`  ids shifted by +${t.idOffset} (they overlap the target's)`);
    if (t.droppedColumns.length) lines.push(`  columns dropped: ${t.droppedColumns.join(', ')}`);
    if (t.defaultedColumns.length) lines.push(`  columns defaulted (absent in the source): ${t.defaultedColumns.join(', ')}`);
    for (const note of t.notes) lines.push(`  ${note}`);
  }
  return lines.join('\n');
}
