import type { EntityManager } from 'typeorm';

/**
 * Runs a write statement and returns the number of affected rows on both drivers
 * (better-sqlite3 `changes`, mysql2 `affectedRows`). Conditional UPDATEs check this
 * to know whether they won.
 */
export async function execAffected(manager: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return Number(result.affected ?? 0);
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
