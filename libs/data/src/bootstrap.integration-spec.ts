import { spawn } from 'node:child_process';
import { availableDbKinds, createTestDatabase, distFile, type DbKind, type TestDatabase } from '@oneapi/testing';
import { createDataSource, openDataSource } from './data-source';
import { bootstrapDatabase, DEFAULT_ROOT_PASSWORD, readSessionSecret } from './bootstrap';
import { verifyPassword } from './passwords';

describe('database bootstrap', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let db: TestDatabase | undefined;
      beforeAll(async () => {
        if (kinds.includes(kind)) db = await createTestDatabase(kind);
      });
      afterAll(async () => db?.drop());

      it('applies migrations once, matches the entities, and creates root exactly once', async () => {
        if (!db) return;
        const first = await openDataSource(db.config);
        const r1 = await bootstrapDatabase(first, { isMaster: true });
        expect(r1.migrationsApplied).toEqual(['InitialSchema1764288000000', 'CacheEvents1764288100000', 'MoneyLedger1764288200000', 'SessionEpoch1764288300000', 'ChannelCapacity1764288400000', 'SystemSecrets1764288600000', 'LogSystemPromptReset1764288700000', 'ChannelLastTest1764288800000']);
        expect(r1.rootCreated).toBe(true);

        // The entities describe exactly the schema the migrations built.
        const pending = await first.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((q) => q.query)).toEqual([]);

        const users: Array<{ username: string; role: number; password: string; quota: number }> = await first.query('SELECT username, role, password, quota FROM users');
        expect(users).toHaveLength(1);
        expect(users[0]).toMatchObject({ username: 'root', role: 100 });
        expect(await verifyPassword(DEFAULT_ROOT_PASSWORD, users[0].password)).toBe(true);
        await first.destroy();

        const second = createDataSource(db.config);
        const r2 = await bootstrapDatabase(second, { isMaster: true });
        expect(r2).toEqual({ migrationsApplied: [], rootCreated: false });
        const migrations: unknown[] = await second.query('SELECT * FROM migrations');
        expect(migrations).toHaveLength(8);
        await second.destroy();
      });

      it('the master stores one session secret under the migration lock; later masters keep it and slaves read it', async () => {
        if (!db) return;
        const master = await openDataSource(db.config);
        await bootstrapDatabase(master, { isMaster: true });
        const secret = await readSessionSecret(master, 0);
        expect(secret).toMatch(/^[0-9a-f]{64}$/);
        await bootstrapDatabase(master, { isMaster: true });
        await master.destroy();

        const slave = await openDataSource(db.config);
        await bootstrapDatabase(slave, { isMaster: false });
        expect(await readSessionSecret(slave, 0)).toBe(secret);
        const rows: unknown[] = await slave.query('SELECT name FROM system_secrets');
        expect(rows).toHaveLength(1);
        await slave.destroy();
      });
    });
  }

  it.each(['sqlite', 'mysql'] as const)('two processes starting together on %s create root once', async (kind) => {
    if (!kinds.includes(kind)) return;
    const db = await createTestDatabase(kind);
    try {
      const script = distFile('libs/data/src/__tests__/bootstrap-child.js');
      const run = () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [script], {
            env: { ...process.env, CHILD_DB: JSON.stringify(db.config) },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          // Only the child's result line: TypeORM also prints the losing migration attempt (the SQLite race).
          child.on('exit', (code) => (code === 0 ? resolve(/^rootCreated=\w+$/m.exec(out)?.[0] ?? out) : reject(new Error(`child exited ${code}`))));
        });
      const results = await Promise.all([run(), run()]);
      expect(results.sort()).toEqual(['rootCreated=false', 'rootCreated=true']);
      const ds = createDataSource(db.config);
      await ds.initialize();
      const users: unknown[] = await ds.query("SELECT id FROM users WHERE username = 'root'");
      expect(users).toHaveLength(1);
      await ds.destroy();
    } finally {
      await db.drop();
    }
  });
});
