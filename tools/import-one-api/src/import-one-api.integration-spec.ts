import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@oneapi/config';
import { createChannelKeyCipher, formatOneApiImportReport, importOneApiDatabase, openDataSource, verifyPassword, type ImportTableReport, type OneApiImportReport } from '@oneapi/data';
import { getChannelType } from '@oneapi/domain';
import { getAdapter } from '@oneapi/providers';
import { availableDbKinds, createTestDatabase, distFile, type DbKind, type TestDatabase } from '@oneapi/testing';
import { OLD_ONE_API_TABLES, PASSWORDS, referenceRows, TOKEN_KEYS, writeOneApiMysql, writeOneApiSqlite, type FixtureData } from './__tests__/one-api-fixture';

const SESSION_SECRET = 'import-test-session-secret-0123456789';
const CHANNEL_KEY_SECRET = 'import-test-channel-key-secret';

function targetConfig(db: TestDatabase, extra: Record<string, string> = {}): AppConfig {
  return loadConfig({ ...db.env, SESSION_SECRET, ...extra });
}

function table(report: OneApiImportReport, name: string): ImportTableReport {
  const t = report.tables.find((x) => x.table === name);
  if (!t) throw new Error(`no ${name} in the report`);
  return t;
}

const skippedTotal = (t: ImportTableReport) => Object.values(t.skipped).reduce((a, b) => a + b, 0);

type Rows = Array<Record<string, unknown>>;

async function readTarget(config: AppConfig): Promise<Record<string, Rows>> {
  const ds = await openDataSource(config.database);
  try {
    const out: Record<string, Rows> = {};
    for (const t of ['users', 'tokens', 'channels', 'abilities', 'redemptions', 'logs', 'options']) {
      const order = t === 'abilities' ? 'channel_id, `group`, model' : t === 'options' ? '`key`' : 'id';
      out[t] = await ds.query(`SELECT * FROM \`${t}\` ORDER BY ${order}`);
    }
    return out;
  } finally {
    await ds.destroy();
  }
}

/** Counts every report of the reference fixture must show, dry run or apply. */
function expectReferenceCounts(report: OneApiImportReport): void {
  const users = table(report, 'users');
  expect([users.found, users.imported]).toEqual([5, 4]);
  expect(users.skipped).toEqual({ 'soft-deleted in the source (deleted_at set)': 1 });
  expect(users.droppedColumns.sort()).toEqual(['lark_id', 'oidc_id']);
  expect(users.defaultedColumns).toEqual([]);

  const tokens = table(report, 'tokens');
  expect([tokens.found, tokens.imported]).toEqual([4, 2]);
  expect(tokens.skipped).toEqual({ 'its user was not imported (missing, skipped or soft-deleted)': 2 });

  const channels = table(report, 'channels');
  expect([channels.found, channels.imported, skippedTotal(channels)]).toEqual([2, 2, 0]);
  expect(channels.adjusted['legacy `other` copied to config.api_version']).toBe(1);

  const abilities = table(report, 'abilities');
  expect([abilities.found, abilities.imported, skippedTotal(abilities)]).toEqual([5, 5, 0]);
  expect(abilities.defaultedColumns).toEqual(['weight']);
  expect(abilities.notes).toContain('source abilities match the channels: copied');

  const redemptions = table(report, 'redemptions');
  expect([redemptions.found, redemptions.imported]).toEqual([2, 2]);
  expect(redemptions.defaultedColumns).toEqual(['used_by']);

  const logs = table(report, 'logs');
  expect([logs.found, logs.imported]).toEqual([3, 3]);
  expect(logs.droppedColumns).toEqual([]);
  expect(logs.adjusted).toEqual({ 'user not imported: user_id set to 0 (username kept)': 1 });

  const options = table(report, 'options');
  expect([options.found, options.imported]).toEqual([3, 3]);
}

async function expectReferenceImported(config: AppConfig, data: FixtureData): Promise<void> {
  const t = await readTarget(config);
  // Ids preserved, root replaced by the source's root (its password, not the bootstrap default).
  expect(t['users'].map((u) => [Number(u['id']), u['username']])).toEqual([
    [1, 'root'],
    [2, 'alice'],
    [3, 'bob'],
    [5, 'dave'],
  ]);
  const [root, alice, bob, dave] = t['users'];
  expect(String(alice['password'])).toMatch(/^\$2a\$10\$/);
  expect(await verifyPassword(PASSWORDS.alice, String(alice['password']))).toBe(true);
  expect(await verifyPassword(PASSWORDS.root, String(root['password']))).toBe(true);
  expect(await verifyPassword('123456', String(root['password']))).toBe(false);
  expect(Number(root['quota'])).toBe(500_000_000_000_000);
  expect(root['aff_code']).toBeNull(); // One API's root has aff_code ''
  expect(dave['access_token']).toBeNull();
  expect(Number(bob['inviter_id'])).toBe(2);
  expect([Number(bob['role']), Number(bob['status']), bob['group']]).toEqual([10, 2, 'default']);
  expect([alice['group'], Number(alice['used_quota']), Number(alice['request_count'])]).toEqual(['vip', 100_000, 42]);

  expect(t['tokens'].map((x) => [Number(x['id']), Number(x['user_id']), x['key']])).toEqual([
    [1, 1, TOKEN_KEYS.root],
    [2, 2, TOKEN_KEYS.alice],
  ]);
  expect(t['tokens'][1]).toMatchObject({ models: 'gpt-4o,gpt-4o-mini', subnet: '10.0.0.0/8' });
  expect(Number(t['tokens'][1]['remain_quota'])).toBe(1000);

  const [openai, azure] = t['channels'];
  expect(Number(openai['id'])).toBe(1);
  expect(Number(azure['id'])).toBe(2);
  expect(JSON.parse(String(azure['config']))).toEqual({ api_version: '2024-02-15-preview' });
  expect(azure['other']).toBe('2024-02-15-preview');
  expect(azure['system_prompt']).toBe('be brief');
  expect([Number(openai['priority']), Number(openai['weight']), openai['model_mapping']]).toEqual([5, 3, '{"gpt-4":"gpt-4o"}']);
  expect(Number(openai['balance'])).toBe(12.5);

  expect(t['abilities'].map((a) => [Number(a['channel_id']), a['group'], a['model'], Number(a['enabled']), Number(a['priority']), Number(a['weight'])])).toEqual([
    [1, 'default', 'gpt-4o', 1, 5, 3],
    [1, 'default', 'gpt-4o-mini', 1, 5, 3],
    [1, 'vip', 'gpt-4o', 1, 5, 3],
    [1, 'vip', 'gpt-4o-mini', 1, 5, 3],
    [2, 'default', 'gpt-35-turbo', 0, 0, 0],
  ]);
  expect(t['redemptions'].map((r) => [Number(r['id']), r['key'], Number(r['status']), Number(r['used_by'])])).toEqual(
    data['redemptions'].map((r) => [r['id'], r['key'], r['status'], 0]),
  );
  expect(t['logs'].map((l) => [Number(l['id']), Number(l['user_id']), l['username'], Number(l['channel_id']), Number(l['elapsed_time']), Number(l['is_stream']), Number(l['system_prompt_reset'])])).toEqual([
    [1, 2, 'alice', 1, 850, 1, 0],
    [2, 3, 'bob', 0, 0, 0, 0],
    [3, 0, 'carol', 2, 10, 0, 1],
  ]);
  expect(Object.fromEntries(t['options'].map((o) => [o['key'], o['value']]))).toEqual({ ModelRatio: '{"gpt-4o":2.5}', QuotaForNewUser: '1000', SystemName: 'My One API' });
}

describe('import-one-api', () => {
  let kinds: DbKind[] = [];
  let data: FixtureData;
  let dir: string;
  let sourcePath: string;

  beforeAll(async () => {
    kinds = await availableDbKinds();
    data = await referenceRows();
    dir = mkdtempSync(join(tmpdir(), 'oneapi-import-'));
    sourcePath = join(dir, 'one-api.db');
    writeOneApiSqlite(sourcePath, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dry run reports per-table counts, skips and dropped columns, and writes nothing (SQLite target)', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const report = await importOneApiDatabase({ from: sourcePath, target: targetConfig(db) });
      expect(report.mode).toBe('dry-run');
      expect(report.targetState).toBe('empty');
      expect(report.rootReplaced).toBe(true);
      expectReferenceCounts(report);
      // The SQLite target file was not even created.
      expect(existsSync(db.config.type === 'sqlite' ? db.config.path : '')).toBe(false);
      const text = formatOneApiImportReport(report);
      expect(text).toContain('dry run: nothing written');
      expect(text).toContain('users: found 5, would import 4, skipped 1');
      expect(text).toContain('columns dropped: lark_id, oidc_id');
      expect(text).toContain('columns defaulted (absent in the source): used_by');
    } finally {
      await db.drop();
    }
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(`apply into a fresh ${kind} database`, () => {
      let db: TestDatabase | undefined;
      beforeAll(async () => {
        if (kinds.includes(kind)) db = await createTestDatabase(kind);
      });
      afterAll(async () => db?.drop());

      it('dry run leaves the database empty, apply imports with ids preserved and root replaced, a second apply is refused', async () => {
        if (!db) return;
        const config = targetConfig(db, { CHANNEL_KEY_SECRET });

        const dry = await importOneApiDatabase({ from: sourcePath, target: config });
        expectReferenceCounts(dry);
        if (kind === 'mysql') {
          const ds = await openDataSource(config.database);
          const tables: unknown[] = await ds.query('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()');
          await ds.destroy();
          expect(tables).toEqual([]);
        }

        const applied = await importOneApiDatabase({ from: sourcePath, target: config, apply: true });
        expect(applied.mode).toBe('apply');
        expect(applied.targetState).toBe('fresh');
        expect(applied.rootReplaced).toBe(true);
        expect(applied.refused).toBeUndefined();
        expectReferenceCounts(applied);
        expect(table(applied, 'channels').adjusted['key encrypted with CHANNEL_KEY_SECRET']).toBe(2);
        expect(table(applied, 'users').notes.join(' ')).toContain("auto-created root account (id 1) is replaced");
        await expectReferenceImported(config, data);

        // Channel keys are stored encrypted and decrypt with the configured secret.
        const channels = (await readTarget(config))['channels'];
        const cipher = createChannelKeyCipher(CHANNEL_KEY_SECRET);
        expect(String(channels[0]['key'])).toMatch(/^enc:v1:/);
        expect(channels.map((ch) => cipher.decrypt(String(ch['key'])))).toEqual(['sk-upstream-openai', 'azure-key-1']);

        const before = await readTarget(config);
        const again = await importOneApiDatabase({ from: sourcePath, target: config, apply: true });
        expect(again.targetState).toBe('has-data');
        expect(again.refused).toMatch(/--merge/);
        expect(again.tables).toEqual([]);
        expect(formatOneApiImportReport(again)).toContain('REFUSED');
        expect(await readTarget(config)).toEqual(before);
      });
    });
  }

  it('--merge into a target with data skips duplicates and shifts overlapping ids', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const config = targetConfig(db);
      await importOneApiDatabase({ from: sourcePath, target: config, apply: true });
      // A dry run without --merge on a target with data reports as if merging, and says --apply would refuse.
      const dry = await importOneApiDatabase({ from: sourcePath, target: config });
      expect([dry.targetState, dry.refused, table(dry, 'users').imported]).toEqual(['has-data', undefined, 0]);
      expect(formatOneApiImportReport(dry)).toContain('--apply will refuse unless --merge');
      const merged = await importOneApiDatabase({ from: sourcePath, target: config, apply: true, merge: true });
      expect(merged.targetState).toBe('has-data');
      expect(table(merged, 'users').imported).toBe(0);
      expect(table(merged, 'users').skipped['username already exists in the target']).toBe(4);
      expect(table(merged, 'tokens').imported).toBe(0);
      expect(table(merged, 'redemptions').skipped['key already exists in the target']).toBe(2);
      expect(table(merged, 'options').skipped['the target already has this option (its value is kept)']).toBe(3);
      // Channels have no natural key: they are added again, under ids after the target's.
      expect(table(merged, 'channels')).toMatchObject({ imported: 2, idOffset: 2 });
      const t = await readTarget(config);
      expect(t['channels'].map((c) => Number(c['id']))).toEqual([1, 2, 3, 4]);
      expect(t['abilities'].filter((a) => Number(a['channel_id']) === 3)).toHaveLength(4);
      expect(t['logs'].map((l) => [Number(l['id']), Number(l['channel_id'])])).toEqual([
        [1, 1],
        [2, 0],
        [3, 2],
        [4, 3],
        [5, 0],
        [6, 4],
      ]);
      expect(t['users']).toHaveLength(4);
    } finally {
      await db.drop();
    }
  });

  it('maps an older One API schema: defaults missing columns and rebuilds inconsistent abilities', async () => {
    const oldPath = join(dir, 'old-one-api.db');
    const old: FixtureData = {
      users: data['users'].filter((u) => u['deleted_at'] === null).map(({ lark_id: _l, oidc_id: _o, deleted_at: _d, ...u }) => u),
      tokens: [{ id: 7, user_id: 2, key: 'k'.repeat(32), status: 1, name: 'old', created_time: 1, accessed_time: 1, expired_time: -1, remain_quota: 10, unlimited_quota: 0 }],
      channels: [
        { id: 3, type: 3, key: 'azure-old', status: 1, name: 'old azure', weight: null, created_time: 1, test_time: 0, response_time: 0, base_url: 'https://old.openai.azure.com', other: '2023-05-15', balance: 0, balance_updated_time: 0, models: 'gpt-35-turbo, gpt-4', group: 'default', used_quota: 0, model_mapping: null, allow_streaming: 1, allow_non_streaming: 1 },
      ],
      // One API wrote the untrimmed " gpt-4"; and a row of a channel deleted long ago.
      abilities: [
        { group: 'default', model: 'gpt-35-turbo', channel_id: 3, enabled: 1 },
        { group: 'default', model: ' gpt-4', channel_id: 3, enabled: 1 },
        { group: 'default', model: 'gpt-4', channel_id: 9, enabled: 1 },
      ],
      redemptions: [],
      logs: [{ id: 1, user_id: 2, created_at: 5, type: 2, content: 'old', username: 'alice', token_name: 'old', model_name: 'gpt-4', quota: 3, prompt_tokens: 1, completion_tokens: 2, channel_id: 3 }],
    };
    writeOneApiSqlite(oldPath, old, OLD_ONE_API_TABLES);
    const db = await createTestDatabase('sqlite');
    try {
      const config = targetConfig(db);
      const report = await importOneApiDatabase({ from: oldPath, target: config, apply: true });
      expect(table(report, 'tokens').defaultedColumns).toEqual(['used_quota', 'models', 'subnet']);
      expect(table(report, 'channels').defaultedColumns).toEqual(['priority', 'config', 'system_prompt']);
      expect(table(report, 'channels').droppedColumns).toEqual(['allow_streaming', 'allow_non_streaming']);
      expect(table(report, 'options').missingInSource).toBe(true);
      expect(table(report, 'logs').defaultedColumns).toEqual(['request_id', 'elapsed_time', 'is_stream', 'system_prompt_reset']);
      const abilities = table(report, 'abilities');
      expect([abilities.found, abilities.imported]).toEqual([3, 2]);
      expect(abilities.skipped).toEqual({ 'inconsistent with its channel (rebuilt from channels)': 2 });
      expect(abilities.notes.join(' ')).toMatch(/^rebuilt from channels/);
      const t = await readTarget(config);
      expect(t['abilities'].map((a) => [a['model'], Number(a['channel_id']), Number(a['weight'])])).toEqual([
        ['gpt-35-turbo', 3, 0],
        ['gpt-4', 3, 0],
      ]);
      expect(JSON.parse(String(t['channels'][0]['config']))).toEqual({ api_version: '2023-05-15' });
      expect(t['tokens'][0]).toMatchObject({ key: 'k'.repeat(32), subnet: '' });
      expect(Number(t['tokens'][0]['used_quota'])).toBe(0);
      expect(await verifyPassword(PASSWORDS.alice, String(t['users'][1]['password']))).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('reads a One API MySQL database given as a go-sql-driver DSN', async () => {
    if (!kinds.includes('mysql')) return;
    const source = await createTestDatabase('mysql');
    const target = await createTestDatabase('sqlite');
    try {
      if (source.config.type !== 'mysql') throw new Error('expected MySQL');
      await writeOneApiMysql(source.config, data);
      const s = source.config;
      const dsn = `${s.username}${s.password ? `:${s.password}` : ''}@tcp(${s.host}:${s.port})/${s.database}?charset=utf8mb4&parseTime=True&loc=Local`;
      const config = targetConfig(target);
      const report = await importOneApiDatabase({ from: dsn, target: config, apply: true });
      expect(report.source).toContain(`/${s.database}`);
      expect(report.source).not.toContain('@tcp');
      expectReferenceCounts(report);
      await expectReferenceImported(config, data);
    } finally {
      await source.drop();
      await target.drop();
    }
  });

  describe('CLI (compiled)', () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SQL_DSN|LOG_SQL_DSN|SQLITE_PATH|SESSION_SECRET|CHANNEL_KEY_SECRET|INITIAL_ROOT_\w+)$/.test(k)));
        const child = spawn(process.execPath, [distFile('tools/import-one-api/src/main.js'), ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });

    it('--help, dry run by default, --apply, then a refused second --apply', async () => {
      const db = await createTestDatabase('sqlite');
      try {
        const help = await run(['--help'], db.env);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain('--from SOURCE');

        const missing = await run([], db.env);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain('--from is required');

        const dry = await run(['--from', sourcePath], db.env);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain('dry run: nothing written');
        expect(dry.stdout).toContain('tokens: found 4, would import 2, skipped 2');
        expect(existsSync(db.env['SQLITE_PATH'])).toBe(false);
        // The dry run wrote no session secret into the data folder either.
        expect(existsSync(join(db.env['SQLITE_PATH'], '..', 'session-secret'))).toBe(false);

        const applied = await run(['--from', sourcePath, '--apply', '--json'], db.env);
        expect(applied.code).toBe(0);
        const report = JSON.parse(applied.stdout) as OneApiImportReport;
        expect(report.rootReplaced).toBe(true);
        expectReferenceCounts(report);

        const refused = await run(['--from', sourcePath, '--apply'], db.env);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toContain('REFUSED');

        const bad = await run(['--from', join(dir, 'nope.db')], db.env);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('no such SQLite file');
      } finally {
        await db.drop();
      }
    });
  });

  it('every imported channel either relays or is flagged with the reason (one channel of every One API type, and an unknown one)', async () => {
    const path = join(dir, 'every-type.db');
    // One API's channeltype/define.go: 1 OpenAI … 51 Gemini (OpenAI-compatible); 99 is no type at all.
    const types = [...Array.from({ length: 51 }, (_, i) => i + 1), 99];
    const channel = (type: number) => ({ ...data['channels'][0], id: type, type, name: `type ${type}`, key: `key-of-type-${type}`, models: `m${type}`, group: 'default' });
    writeOneApiSqlite(path, { ...data, channels: types.map(channel), abilities: [], logs: [] });
    const db = await createTestDatabase('sqlite');
    try {
      const report = await importOneApiDatabase({ from: path, target: targetConfig(db) });
      const channels = table(report, 'channels');
      expect(channels.imported).toBe(types.length);
      const flaggedIds = Object.values(channels.flagged).flat();
      for (const type of types) {
        // Relays: an adapter serves some endpoint, or (Proxy, 43) the relay's pass-through route does.
        const relays = getAdapter(type).endpoints.size > 0 || type === 43;
        expect({ type, relays, flagged: flaggedIds.includes(type) }).toEqual({ type, relays, flagged: !relays });
      }
      // Spark v1 (18) relays over its WebSocket API: PaLM is the only known type left flagged.
      expect(flaggedIds.sort((a, b) => a - b)).toEqual([11, 99]);
      const [palm] = Object.entries(channels.flagged).filter(([, ids]) => ids.includes(11));
      expect(palm[0]).toBe(`type 11 (Google PaLM) does not relay: ${getChannelType(11)?.notImplementedReason ?? '?'}`);
      expect(palm[0]).toMatch(/PaLM API down.*Gemini \(24\)/);
      expect(channels.flagged['type 99 is not a channel type this relay knows; its requests will fail']).toEqual([99]);
      expect(formatOneApiImportReport(report)).toContain('FLAGGED 1 (#11): type 11 (Google PaLM) does not relay');
    } finally {
      await db.drop();
    }
  });
});
