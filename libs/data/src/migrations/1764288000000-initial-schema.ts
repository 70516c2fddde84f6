import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * One API's tables with its column names (SPEC section 4), written with TypeORM's schema API
 * so the same migration runs on SQLite and MySQL/MariaDB.
 */
const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const bigint = (name: string, def = 0): TableColumnOptions => ({ name, type: 'bigint', default: def });
const int = (name: string, def = 0): TableColumnOptions => ({ name, type: 'integer', default: def });
const varchar = (name: string, length: number, def: string | null = '', isNullable = def === null): TableColumnOptions =>
  def === null ? { name, type: 'varchar', length: String(length), isNullable } : { name, type: 'varchar', length: String(length), default: `'${def}'`, isNullable };
const text = (name: string, nullable = true): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const flag = (name: string, def: 0 | 1): TableColumnOptions => ({ name, type: 'tinyint', default: def });

export class InitialSchema1764288000000 implements MigrationInterface {
  name = 'InitialSchema1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '64' },
          { name: 'password', type: 'varchar', length: '255' },
          varchar('display_name', 64),
          int('role', 1),
          int('status', 1),
          varchar('email', 128),
          varchar('github_id', 64),
          varchar('wechat_id', 64),
          varchar('access_token', 64, null),
          bigint('quota'),
          bigint('used_quota'),
          int('request_count'),
          varchar('group', 32, 'default'),
          varchar('aff_code', 32, null),
          int('inviter_id'),
        ],
        indices: [
          new TableIndex({ name: 'idx_users_username', columnNames: ['username'], isUnique: true }),
          new TableIndex({ name: 'idx_users_display_name', columnNames: ['display_name'] }),
          new TableIndex({ name: 'idx_users_email', columnNames: ['email'] }),
          new TableIndex({ name: 'idx_users_github_id', columnNames: ['github_id'] }),
          new TableIndex({ name: 'idx_users_wechat_id', columnNames: ['wechat_id'] }),
          new TableIndex({ name: 'idx_users_access_token', columnNames: ['access_token'], isUnique: true }),
          new TableIndex({ name: 'idx_users_aff_code', columnNames: ['aff_code'], isUnique: true }),
          new TableIndex({ name: 'idx_users_inviter_id', columnNames: ['inviter_id'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'tokens',
        columns: [
          id,
          { name: 'user_id', type: 'integer' },
          { name: 'key', type: 'varchar', length: '48' },
          int('status', 1),
          varchar('name', 64),
          bigint('created_time'),
          bigint('accessed_time'),
          bigint('expired_time', -1),
          bigint('remain_quota'),
          flag('unlimited_quota', 0),
          bigint('used_quota'),
          text('models'),
          varchar('subnet', 255, '', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_tokens_user_id', columnNames: ['user_id'] }),
          new TableIndex({ name: 'idx_tokens_key', columnNames: ['key'], isUnique: true }),
          new TableIndex({ name: 'idx_tokens_name', columnNames: ['name'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'channels',
        columns: [
          id,
          int('type'),
          text('key', false),
          int('status', 1),
          varchar('name', 128),
          int('weight'),
          bigint('priority'),
          bigint('created_time'),
          bigint('test_time'),
          int('response_time'),
          varchar('base_url', 512, '', true),
          text('other'),
          { name: 'balance', type: 'double', default: 0 },
          bigint('balance_updated_time'),
          text('models'),
          varchar('group', 255, 'default'),
          bigint('used_quota'),
          varchar('model_mapping', 1024, '', true),
          text('config'),
          text('system_prompt'),
        ],
        indices: [new TableIndex({ name: 'idx_channels_name', columnNames: ['name'] })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'abilities',
        columns: [
          { name: 'group', type: 'varchar', length: '32', isPrimary: true },
          { name: 'model', type: 'varchar', length: '128', isPrimary: true },
          { name: 'channel_id', type: 'integer', isPrimary: true },
          flag('enabled', 1),
          bigint('priority'),
          int('weight'),
        ],
        indices: [
          new TableIndex({ name: 'idx_abilities_lookup', columnNames: ['group', 'model', 'enabled', 'priority'] }),
          new TableIndex({ name: 'idx_abilities_channel_id', columnNames: ['channel_id'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'redemptions',
        columns: [
          id,
          int('user_id'),
          { name: 'key', type: 'varchar', length: '32' },
          int('status', 1),
          varchar('name', 64),
          bigint('quota', 100),
          bigint('created_time'),
          bigint('redeemed_time'),
          int('used_by'),
        ],
        indices: [
          new TableIndex({ name: 'idx_redemptions_key', columnNames: ['key'], isUnique: true }),
          new TableIndex({ name: 'idx_redemptions_name', columnNames: ['name'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'options',
        columns: [{ name: 'key', type: 'varchar', length: '128', isPrimary: true }, text('value')],
      }),
    );

    await this.createLogs(q);
  }

  /** Separate so a LOG_SQL_DSN database can be given only the logs table. */
  async createLogs(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'logs',
        columns: [
          id,
          int('user_id'),
          bigint('created_at'),
          int('type'),
          text('content'),
          varchar('username', 64),
          varchar('token_name', 64),
          varchar('model_name', 128),
          bigint('quota'),
          int('prompt_tokens'),
          int('completion_tokens'),
          int('channel_id'),
          varchar('request_id', 64),
          bigint('elapsed_time'),
          flag('is_stream', 0),
        ],
        indices: [
          new TableIndex({ name: 'idx_logs_created_at_type', columnNames: ['created_at', 'type'] }),
          new TableIndex({ name: 'idx_logs_user_created_at', columnNames: ['user_id', 'created_at'] }),
          new TableIndex({ name: 'idx_logs_model_username', columnNames: ['model_name', 'username'] }),
          new TableIndex({ name: 'idx_logs_username', columnNames: ['username'] }),
          new TableIndex({ name: 'idx_logs_token_name', columnNames: ['token_name'] }),
          new TableIndex({ name: 'idx_logs_model_name', columnNames: ['model_name'] }),
          new TableIndex({ name: 'idx_logs_channel_id', columnNames: ['channel_id'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['logs', 'options', 'redemptions', 'abilities', 'channels', 'tokens', 'users']) {
      await q.dropTable(table, true);
    }
  }
}
