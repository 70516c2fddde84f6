import { createServer, type Server } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import type { DatabaseConfig } from '@oneapi/config';
import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import { bootstrapDatabase } from './bootstrap';
import { createDataSource, isDatabaseUnavailable, isUniqueViolation } from './data-source';

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const mysqlAt = (port: number): DatabaseConfig => ({
  type: 'mysql',
  host: '127.0.0.1',
  port,
  username: 'root',
  password: '',
  database: 'none',
  params: {},
  maxOpen: 2,
  maxIdle: 1,
  maxLifetimeSeconds: 60,
});

describe('isDatabaseUnavailable', () => {
  it('reads codes through wrappers and connection-attempt aggregates; other errors are not unavailability', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('query failed'), { driverError: refused }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' }))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });

  describe('SQLite', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('sqlite');
    });
    afterAll(async () => db.drop());

    it('is true for "database is locked" (another writer past busy_timeout), false for bad SQL and unique violations', async () => {
      if (db.config.type !== 'sqlite') throw new Error('expected SQLite');
      const ds = createDataSource({ ...db.config, busyTimeoutMs: 50 });
      await bootstrapDatabase(ds, { isMaster: true });
      const holder = new BetterSqlite3(db.config.path);
      try {
        holder.exec('BEGIN IMMEDIATE');
        const locked = await rejection(ds.query('UPDATE users SET quota = quota + 1'));
        expect(isDatabaseUnavailable(locked)).toBe(true);
        const inTransaction = await rejection(ds.transaction((m) => m.query('UPDATE users SET quota = quota + 1')));
        expect(isDatabaseUnavailable(inTransaction)).toBe(true);
        holder.exec('ROLLBACK');

        expect(isDatabaseUnavailable(await rejection(ds.query('SELEC 1')))).toBe(false);
        const dup = await rejection(ds.query("INSERT INTO users (username, password, display_name, role, status, quota, `group`) VALUES ('root', 'x', 'x', 1, 1, 0, 'default')"));
        expect([isUniqueViolation(dup), isDatabaseUnavailable(dup)]).toEqual([true, false]);
      } finally {
        holder.close();
        await ds.destroy();
      }
      // A closed DataSource (shutdown) is unavailability too.
      expect(isDatabaseUnavailable(await rejection(ds.query('SELECT 1')))).toBe(true);
    });
  });

  describe('MySQL/MariaDB', () => {
    it('is true when nothing listens on the port', async () => {
      const server = createServer();
      const port = await listen(server);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const error = await rejection(createDataSource(mysqlAt(port), { mariadb: true }).initialize());
      expect(isDatabaseUnavailable(error)).toBe(true);
    });

    it('is true when the server answers "Too many connections" (ER_CON_COUNT_ERROR) instead of its handshake', async () => {
      // What MariaDB sends past max_connections: an error packet (0xFF, errno 1040, no SQL state) as the first packet.
      const message = Buffer.from('Too many connections');
      const payload = Buffer.concat([Buffer.from([0xff, 1040 & 0xff, 1040 >> 8]), message]);
      const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 0]);
      const server = createServer((socket) => socket.end(Buffer.concat([header, payload])));
      const port = await listen(server);
      try {
        const error = await rejection(createDataSource(mysqlAt(port), { mariadb: true }).initialize());
        expect((error as { code?: string }).code).toBe('ER_CON_COUNT_ERROR');
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('is false for a bad query or a unique violation on a reachable server', async () => {
      if (!(await availableDbKinds()).includes('mysql')) return;
      const db = await createTestDatabase('mysql');
      const ds = createDataSource(db.config, { mariadb: true });
      try {
        await bootstrapDatabase(ds, { isMaster: true });
        expect(isDatabaseUnavailable(await rejection(ds.query('SELEC 1')))).toBe(false);
        const dup = await rejection(ds.query("INSERT INTO users (username, password, display_name, role, status, quota, `group`) VALUES ('root', 'x', 'x', 1, 1, 0, 'default')"));
        expect([isUniqueViolation(dup), isDatabaseUnavailable(dup)]).toEqual([true, false]);
        await ds.destroy();
        expect(isDatabaseUnavailable(await rejection(ds.query('SELECT 1')))).toBe(true);
      } finally {
        if (ds.isInitialized) await ds.destroy();
        await db.drop();
      }
    });
  });
});
