import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * One API's `logs.system_prompt_reset`: the channel's system prompt replaced the client's or was
 * put first in the request this consume row bills. Existing rows read false.
 */
export class LogSystemPromptReset1764288700000 implements MigrationInterface {
  name = 'LogSystemPromptReset1764288700000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('logs', new TableColumn({ name: 'system_prompt_reset', type: 'tinyint', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('logs', 'system_prompt_reset');
  }
}
