import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '@oneapi/config';
import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import { openDataSource } from '../data-source';
import { importOneApiDatabase } from './one-api-import';

/** A One API database with what its users and tokens hold and have spent (it records no grants). */
function writeSource(path: string): void {
  const db = new BetterSqlite3(path);
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, password TEXT, role INTEGER, status INTEGER, quota INTEGER, used_quota INTEGER);
    CREATE TABLE tokens (id INTEGER PRIMARY KEY, user_id INTEGER, key TEXT, status INTEGER, name TEXT, remain_quota INTEGER, unlimited_quota INTEGER, used_quota INTEGER);
    CREATE TABLE channels (id INTEGER PRIMARY KEY, type INTEGER, key TEXT, status INTEGER, name TEXT);
    INSERT INTO users VALUES (1, 'root', '', 100, 1, 500000000000000, 1234), (2, 'alice', '', 1, 1, 900000, 100000), (3, 'bob', '', 1, 1, 0, 0);
    INSERT INTO tokens VALUES (1, 1, '${'r'.repeat(48)}', 1, 'root', 0, 1, 50), (2, 2, '${'a'.repeat(48)}', 1, 'alice', 1000, 0, 10);
  `);
  db.close();
}

describe('One API import: granted_quota', () => {
  for (const kind of ['sqlite', 'mysql'] as const) {
    it(`sets granted = quota + used_quota for users and remain_quota + used_quota for tokens [${kind}]`, async () => {
      if (!(await availableDbKinds()).includes(kind)) return;
      const dir = mkdtempSync(join(tmpdir(), 'oneapi-import-granted-'));
      let target: TestDatabase | undefined;
      try {
        const from = join(dir, 'one-api.db');
        writeSource(from);
        target = await createTestDatabase(kind);
        const report = await importOneApiDatabase({ from, target: loadConfig({ ...target.env, SESSION_SECRET: 'import-granted-session-secret-0123' }), apply: true });
        expect(report.refused).toBeUndefined();
        const ds = await openDataSource(target.config);
        try {
          const users: Array<{ username: string; quota: number; used_quota: number; granted_quota: number }> = await ds.query('SELECT username, quota, used_quota, granted_quota FROM users ORDER BY id');
          expect(users.map((u) => [u.username, Number(u.granted_quota)])).toEqual([
            ['root', 500_000_000_001_234],
            ['alice', 1_000_000],
            ['bob', 0],
          ]);
          const tokens: Array<{ name: string; granted_quota: number }> = await ds.query('SELECT name, granted_quota FROM tokens ORDER BY id');
          expect(tokens.map((t) => [t.name, Number(t.granted_quota)])).toEqual([
            ['root', 50],
            ['alice', 1010],
          ]);
        } finally {
          await ds.destroy();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await target?.drop();
      }
    });
  }
});
