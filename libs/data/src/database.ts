import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '@oneapi/config';
import { bootstrapDatabase, readSessionSecret, type BootstrapResult } from './bootstrap';
import { openDataSource } from './data-source';
import { withSqliteWriteLock } from './repositories/sql-helpers';

/**
 * The process's handle on its SQL database(s). Repositories in this library take a Database;
 * nothing outside libs/data touches TypeORM directly.
 */
export class Database {
  private constructor(
    /** Main database (users, tokens, channels, abilities, redemptions, options, logs). */
    readonly source: DataSource,
    /** Database holding the logs table: LOG_SQL_DSN's, or the main one. */
    readonly logSource: DataSource,
    readonly bootstrap: BootstrapResult,
  ) {}

  get kind(): 'sqlite' | 'mysql' {
    return this.source.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
  }

  get manager(): EntityManager {
    return this.source.manager;
  }

  /** Connects, migrates (master) or waits for the schema (slave), and seeds root. */
  static async open(config: AppConfig, options: { log?: (message: string) => void } = {}): Promise<Database> {
    const source = await openDataSource(config.database);
    const common = {
      isMaster: config.isMaster,
      initialRootPassword: config.env.INITIAL_ROOT_PASSWORD,
      initialRootToken: config.env.INITIAL_ROOT_TOKEN,
      initialRootAccessToken: config.env.INITIAL_ROOT_ACCESS_TOKEN,
      log: options.log,
    };
    try {
      const result = await bootstrapDatabase(source, common);
      let logSource = source;
      if (config.logDatabase) {
        logSource = await openDataSource(config.logDatabase);
        await bootstrapDatabase(logSource, { ...common, seedRoot: false });
      }
      return new Database(source, logSource, result);
    } catch (error) {
      if (source.isInitialized) await source.destroy();
      throw error;
    }
  }

  /**
   * Runs fn in one transaction on the main database. On SQLite, transactions of this process are
   * queued (the driver shares one connection, so concurrent ones would nest as savepoints).
   */
  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return withSqliteWriteLock(this.source, () => this.source.transaction(fn));
  }

  /** The session secret the master generated and stored, for nodes started without SESSION_SECRET. */
  sharedSessionSecret(timeoutMs?: number): Promise<string> {
    return readSessionSecret(this.source, timeoutMs);
  }

  /** Readiness probe: a trivial query on each database. */
  async ping(): Promise<void> {
    await this.source.query('SELECT 1');
    if (this.logSource !== this.source) await this.logSource.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.logSource !== this.source && this.logSource.isInitialized) await this.logSource.destroy();
    if (this.source.isInitialized) await this.source.destroy();
  }
}
