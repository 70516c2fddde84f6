import type { SourceRow } from './one-api-source';

/**
 * How a source value becomes a value of our column. One API's GORM schema drifted across
 * versions (ints became bigints, strings became nullable pointers, columns came and went), so
 * every value is normalised here instead of trusting the source's types.
 */
export type ColumnKind =
  | { type: 'int' | 'bigint' | 'double' | 'bool' | 'text' }
  | {
      type: 'string';
      max: number;
      /** What to do with a longer value: cut it, skip the row, or store NULL. */
      tooLong: 'truncate' | 'skip' | 'null';
      /** '' is stored as NULL (unique columns where One API wrote '' for "none"). */
      emptyAsNull?: boolean;
    };

export interface ColumnSpec {
  /** Our column (One API's name, SPEC section 4). */
  name: string;
  kind: ColumnKind;
  /** Used when the source lacks the column, or holds NULL in a NOT NULL column. */
  def: string | number | null;
  nullable?: boolean;
  /** '' or NULL skips the row. */
  required?: boolean;
}

export type TargetValue = string | number | null;
export type TargetRow = Record<string, TargetValue>;

/** Result of converting one source row: the row, or why it is skipped; plus value adjustments. */
export interface ConvertedRow {
  row: TargetRow;
  skip?: string;
  adjusted: string[];
}

const int = (name: string, def = 0): ColumnSpec => ({ name, kind: { type: 'int' }, def });
const bigint = (name: string, def = 0): ColumnSpec => ({ name, kind: { type: 'bigint' }, def });
const bool = (name: string, def = 0): ColumnSpec => ({ name, kind: { type: 'bool' }, def });
const text = (name: string, nullable = true): ColumnSpec => ({ name, kind: { type: 'text' }, def: nullable ? null : '', nullable });
const str = (name: string, max: number, tooLong: 'truncate' | 'skip' | 'null' = 'truncate', def: string | null = '', extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  kind: { type: 'string', max, tooLong },
  def,
  nullable: def === null,
  ...extra,
});

/** Our tables' columns, in insert order, with One API's defaults (see libs/data migrations). */
export const IMPORT_COLUMNS = {
  users: [
    { ...int('id'), required: true },
    str('username', 64, 'skip', '', { required: true }),
    str('password', 255, 'skip'),
    str('display_name', 64),
    int('role', 1),
    int('status', 1),
    str('email', 128),
    str('github_id', 64),
    str('wechat_id', 64),
    { name: 'access_token', kind: { type: 'string', max: 64, tooLong: 'null', emptyAsNull: true }, def: null, nullable: true },
    bigint('quota'),
    bigint('used_quota'),
    int('request_count'),
    str('group', 32, 'skip', 'default'),
    { name: 'aff_code', kind: { type: 'string', max: 32, tooLong: 'null', emptyAsNull: true }, def: null, nullable: true },
    int('inviter_id'),
  ],
  tokens: [
    { ...int('id'), required: true },
    int('user_id'),
    str('key', 48, 'skip', '', { required: true }),
    int('status', 1),
    str('name', 64),
    bigint('created_time'),
    bigint('accessed_time'),
    bigint('expired_time', -1),
    bigint('remain_quota'),
    bool('unlimited_quota'),
    bigint('used_quota'),
    text('models'),
    str('subnet', 255, 'skip', ''),
  ],
  channels: [
    { ...int('id'), required: true },
    int('type'),
    { ...text('key', false), required: true },
    int('status', 1),
    str('name', 128),
    int('weight'),
    bigint('priority'),
    bigint('created_time'),
    bigint('test_time'),
    int('response_time'),
    str('base_url', 512, 'skip', ''),
    text('other'),
    { name: 'balance', kind: { type: 'double' }, def: 0 },
    bigint('balance_updated_time'),
    text('models'),
    str('group', 255, 'skip', 'default'),
    bigint('used_quota'),
    // Truncated JSON would be worse than none: a longer mapping skips the channel.
    str('model_mapping', 1024, 'skip', ''),
    text('config'),
    text('system_prompt'),
  ],
  redemptions: [
    { ...int('id'), required: true },
    int('user_id'),
    str('key', 32, 'skip', '', { required: true }),
    int('status', 1),
    str('name', 64),
    bigint('quota', 100),
    bigint('created_time'),
    bigint('redeemed_time'),
    int('used_by'),
  ],
  logs: [
    { ...int('id'), required: true },
    int('user_id'),
    bigint('created_at'),
    int('type'),
    text('content'),
    str('username', 64),
    str('token_name', 64),
    str('model_name', 128),
    bigint('quota'),
    int('prompt_tokens'),
    int('completion_tokens'),
    int('channel_id'),
    str('request_id', 64),
    bigint('elapsed_time'),
    bool('is_stream'),
    bool('system_prompt_reset'),
  ],
  options: [str('key', 128, 'skip', '', { required: true }), text('value')],
  abilities: [str('group', 32, 'skip'), str('model', 128, 'skip'), int('channel_id'), bool('enabled', 1), bigint('priority'), int('weight')],
} satisfies Record<string, ColumnSpec[]>;

export type ImportTable = keyof typeof IMPORT_COLUMNS;

function asText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Converts one value; returns `{skip}` when the row cannot be stored. */
function convertValue(spec: ColumnSpec, raw: unknown, present: boolean, adjusted: string[]): { value: TargetValue; skip?: string } {
  if (!present) return { value: spec.def };
  if (raw === null || raw === undefined) {
    if (spec.required) return { value: null, skip: `missing ${spec.name}` };
    return { value: spec.nullable ? null : spec.def };
  }
  const kind = spec.kind;
  switch (kind.type) {
    case 'int':
    case 'bigint':
    case 'double': {
      const n = typeof raw === 'boolean' ? Number(raw) : Number(typeof raw === 'string' ? raw.trim() : raw);
      if (!Number.isFinite(n) || (typeof raw === 'string' && raw.trim() === '')) return { value: null, skip: `non-numeric ${spec.name}` };
      if (kind.type !== 'double' && !Number.isSafeInteger(Math.trunc(n))) return { value: null, skip: `${spec.name} out of range` };
      return { value: kind.type === 'double' ? n : Math.trunc(n) };
    }
    case 'bool': {
      const s = asText(raw).trim().toLowerCase();
      return { value: raw === true || ['1', 't', 'true'].includes(s) ? 1 : 0 };
    }
    case 'text': {
      const s = asText(raw);
      if (spec.required && !s) return { value: null, skip: `missing ${spec.name}` };
      return { value: s };
    }
    case 'string': {
      let s = asText(raw);
      if (spec.required && !s.trim()) return { value: null, skip: `missing ${spec.name}` };
      if (kind.emptyAsNull && s === '') return { value: null };
      if ([...s].length > kind.max) {
        if (kind.tooLong === 'skip') return { value: null, skip: `${spec.name} longer than ${kind.max} characters` };
        if (kind.tooLong === 'null') {
          adjusted.push(`${spec.name} longer than ${kind.max} characters: cleared`);
          return { value: null };
        }
        s = [...s].slice(0, kind.max).join('');
        adjusted.push(`${spec.name} truncated to ${kind.max} characters`);
      }
      return { value: s };
    }
  }
}

/** Converts a source row to our columns; `sourceColumns` tells absent columns from NULLs. */
export function convertRow(table: ImportTable, source: SourceRow, sourceColumns: ReadonlySet<string>): ConvertedRow {
  const row: TargetRow = {};
  const adjusted: string[] = [];
  for (const spec of IMPORT_COLUMNS[table] as ColumnSpec[]) {
    const { value, skip } = convertValue(spec, source[spec.name], sourceColumns.has(spec.name), adjusted);
    if (skip) return { row, skip, adjusted };
    row[spec.name] = value;
  }
  return { row, adjusted };
}
