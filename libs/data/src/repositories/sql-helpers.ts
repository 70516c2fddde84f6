import type { DataSource } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver shares ONE query runner per DataSource, so two concurrent
 * `source.transaction()` calls interleave on one connection: the second becomes a SAVEPOINT
 * inside the first, and a rollback of either can undo the other's writes. On SQLite every
 * multi-statement write (and every write that may run while such a transaction is open) is
 * therefore queued per DataSource; MySQL transactions each get a pooled connection and run
 * concurrently, serialised by row locks.
 */
const tails = new WeakMap<DataSource, Promise<unknown>>();

function isSqlite(source: DataSource): boolean {
  return source.options.type === 'better-sqlite3';
}

/** Runs fn after every earlier queued write on this SQLite DataSource (directly on MySQL). */
export function withSqliteWriteLock<T>(source: DataSource, fn: () => Promise<T>): Promise<T> {
  if (!isSqlite(source)) return fn();
  const previous = tails.get(source) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  tails.set(source, run.catch(() => undefined));
  return run;
}

/** `LIKE ? ESCAPE '!'` pattern matching `text` anywhere (user input's % and _ match literally). */
export function likeContains(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** `LIKE ? ESCAPE '!'` pattern matching values that start with `text`. */
export function likePrefix(text: string): string {
  return `${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** A page of rows plus the total number of matching rows. */
export interface PageResult<T> {
  items: T[];
  total: number;
}

/** Offset/limit of a page (see apps/admin's pagination helper). */
export interface PageRequest {
  offset: number;
  limit: number;
}
