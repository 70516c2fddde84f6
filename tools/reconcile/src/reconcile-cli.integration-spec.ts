import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { childEnv, loadConfig } from '@oneapi/config';
import { Database, type ReconcileReport } from '@oneapi/data';
import { availableDbKinds, createTestDatabase, distFile, type TestDatabase } from '@oneapi/testing';
import { EXIT, runReconcileCli } from './reconcile-cli';

/** User 1 (granted 1000) spent 200 through token 1 (granted 600), which holds 100 more for a running request. */
async function seed(db: Database): Promise<void> {
  await db.source.query('DELETE FROM reservations');
  await db.source.query('DELETE FROM tokens');
  await db.source.query('DELETE FROM users');
  await db.logSource.query('DELETE FROM logs');
  await db.source.query("INSERT INTO users (id, username, password, quota, used_quota, granted_quota, aff_code) VALUES (1, 'alice', 'x', 700, 200, 1000, 'a1')");
  await db.source.query("INSERT INTO tokens (id, user_id, `key`, name, remain_quota, unlimited_quota, used_quota, granted_quota) VALUES (1, 1, 'k1', 'main', 300, 0, 200, 600)");
  await db.source.query("INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES ('running', 1, 1, 100, 1, 'relay-1', ?, ?)", [
    Date.now(),
    Date.now() + 600_000,
  ]);
  await db.logSource.query("INSERT INTO logs (user_id, created_at, type, content, quota, request_id) VALUES (1, 0, 2, 'consume', 200, 'done')");
}

function capture() {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe.each([['sqlite'], ['mysql']] as const)('reconcile CLI on %s', (kind) => {
  let available = true;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    available = (await availableDbKinds()).includes(kind);
    if (!available) return;
    test = await createTestDatabase(kind);
    db = await Database.open(loadConfig({ ...test.env, SESSION_SECRET: randomBytes(24).toString('hex') }));
  });
  afterAll(async () => {
    if (!available) return;
    await db.close();
    await test.drop();
  });
  beforeEach(async () => {
    if (available) await seed(db);
  });

  it('exits 0 with "no drift" on a consistent database', async () => {
    if (!available) return;
    const io = capture();
    expect(await runReconcileCli([], io, test.env)).toBe(EXIT.ok);
    expect(io.stdout).toBe('no drift: 1 user, 1 token checked\n');
  });

  it('exits 1 and prints the drift as a table, or as JSON with --json', async () => {
    if (!available) return;
    await db.source.query('UPDATE users SET quota = quota + 7 WHERE id = 1');
    const io = capture();
    expect(await runReconcileCli([], io, test.env)).toBe(EXIT.drift);
    expect(io.stdout).toContain('users with drift (quota + used + held - granted): 1 of 1');
    expect(io.stdout).toMatch(/^ {2}user\s+username\s+granted\s+quota\s+used\s+held\s+drift$/m);
    expect(io.stdout).toMatch(/^ {2}\s*1\s+alice\s+1000\s+707\s+200\s+100\s+\+7$/m);
    expect(io.stdout).toContain('drift found: 1 user, 0 tokens, 0 billed');

    const json = capture();
    expect(await runReconcileCli(['--json'], json, test.env)).toBe(EXIT.drift);
    const report = JSON.parse(json.stdout) as ReconcileReport;
    expect(report).toMatchObject({ ok: false, checked: { users: 1, tokens: 1, logs: true }, tokens: [], billed: [] });
    expect(report.users).toEqual([{ userId: 1, username: 'alice', granted: 1000, quota: 707, used: 200, held: 100, drift: 7 }]);
  });

  it('--no-logs skips the billed-vs-logs check (and only it)', async () => {
    if (!available) return;
    await db.logSource.query('DELETE FROM logs');
    const io = capture();
    expect(await runReconcileCli([], io, test.env)).toBe(EXIT.drift);
    expect(io.stdout).toMatch(/^ {2}\s*1\s+alice\s+200\s+0\s+\+200$/m);
    expect(io.stdout).toContain('log retention (LOG_RETENTION_DAYS)');

    const skipped = capture();
    expect(await runReconcileCli(['--no-logs'], skipped, test.env)).toBe(EXIT.ok);
    expect(skipped.stdout).toBe('no drift: 1 user, 1 token checked (used quota not compared with the logs: --no-logs)\n');

    await db.source.query("DELETE FROM reservations WHERE request_id = 'running'");
    expect(await runReconcileCli(['--no-logs'], capture(), test.env)).toBe(EXIT.drift);
  });
});

describe('reconcile CLI (compiled)', () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [distFile('tools/reconcile/src/main.js'), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('exits 0 without drift, 1 with drift, 2 on bad usage', async () => {
    const test = await createTestDatabase('sqlite');
    const db = await Database.open(loadConfig({ ...test.env, SESSION_SECRET: randomBytes(24).toString('hex') }));
    try {
      await seed(db);
      const clean = await run([], test.env);
      expect(clean).toMatchObject({ code: 0, stdout: 'no drift: 1 user, 1 token checked\n' });

      await db.source.query("DELETE FROM reservations WHERE request_id = 'running'");
      const drift = await run(['--json'], test.env);
      expect(drift.code).toBe(1);
      expect((JSON.parse(drift.stdout) as ReconcileReport).tokens).toEqual([{ tokenId: 1, userId: 1, name: 'main', granted: 600, remain: 300, used: 200, held: 0, drift: -100 }]);

      const bad = await run(['--frobnicate'], test.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--help');
    } finally {
      await db.close();
      await test.drop();
    }
  });
});
