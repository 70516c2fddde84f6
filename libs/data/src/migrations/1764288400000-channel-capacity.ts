import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Per-channel capacity (issue 12): the most requests a channel serves at once, and its requests
 * and tokens per minute. The relay skips a channel at capacity like a cooling one; 0 = unlimited,
 * so existing channels behave as before.
 */
export class ChannelCapacity1764288400000 implements MigrationInterface {
  name = 'ChannelCapacity1764288400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('channels', [
      new TableColumn({ name: 'max_concurrency', type: 'integer', default: 0 }),
      new TableColumn({ name: 'rpm', type: 'integer', default: 0 }),
      new TableColumn({ name: 'tpm', type: 'integer', default: 0 }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['tpm', 'rpm', 'max_concurrency']) await q.dropColumn('channels', column);
  }
}
