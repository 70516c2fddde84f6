import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The last test of a channel besides its time and latency: the model it used and, when it failed,
 * why (in the gateway's words, never the upstream's body: every admin reads the channel list).
 * Existing rows read '' for both.
 */
export class ChannelLastTest1764288800000 implements MigrationInterface {
  name = 'ChannelLastTest1764288800000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('channels', new TableColumn({ name: 'test_model', type: 'varchar', length: '255', default: "''" }));
    await q.addColumn('channels', new TableColumn({ name: 'test_error', type: 'varchar', length: '512', default: "''" }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('channels', 'test_error');
    await q.dropColumn('channels', 'test_model');
  }
}
