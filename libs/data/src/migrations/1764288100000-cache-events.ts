import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CacheEvents1764288100000 implements MigrationInterface {
  name = 'CacheEvents1764288100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'cache_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'topic', type: 'varchar', length: '16' },
          { name: 'ref', type: 'varchar', length: '128', default: "''" },
          { name: 'created_at', type: 'bigint', default: 0 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('cache_events', true);
  }
}
