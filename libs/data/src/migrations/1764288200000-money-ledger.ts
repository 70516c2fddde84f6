import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Money is conserved (SPEC section 13): a durable record per in-flight reservation, the quota
 * ever granted per user and token (so `reconcile` can check granted − billed = remaining − held),
 * and the stored answers of quota-changing admin calls made with an Idempotency-Key.
 */
export class MoneyLedger1764288200000 implements MigrationInterface {
  name = 'MoneyLedger1764288200000';

  async up(q: QueryRunner): Promise<void> {
    // Idempotency keys are case-sensitive; MySQL's default collation would make `Ab` and `ab` one key.
    const binary = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb' ? { collation: 'utf8mb4_bin' } : {};
    await q.createTable(
      new Table({
        name: 'reservations',
        columns: [
          { name: 'request_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'token_id', type: 'integer', default: 0 },
          { name: 'user_id', type: 'integer', default: 0 },
          { name: 'amount', type: 'bigint', default: 0 },
          // Whether the token's balance was reduced too (unlimited tokens keep theirs).
          { name: 'token_charged', type: 'tinyint', default: 0 },
          { name: 'node', type: 'varchar', length: '64', default: "''" },
          // Unix milliseconds. The relay pushes expires_at forward while the request runs.
          { name: 'created_at', type: 'bigint', default: 0 },
          { name: 'expires_at', type: 'bigint', default: 0 },
        ],
        indices: [new TableIndex({ name: 'idx_reservations_expires_at', columnNames: ['expires_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'scope', type: 'varchar', length: '191', isPrimary: true, ...binary },
          { name: 'status', type: 'integer', default: 200 },
          { name: 'body', type: 'text', isNullable: true },
          { name: 'created_at', type: 'bigint', default: 0 },
        ],
        indices: [new TableIndex({ name: 'idx_idempotency_keys_created_at', columnNames: ['created_at'] })],
      }),
    );
    await q.addColumn('users', new TableColumn({ name: 'granted_quota', type: 'bigint', default: 0 }));
    await q.addColumn('tokens', new TableColumn({ name: 'granted_quota', type: 'bigint', default: 0 }));
    // Existing rows: everything they hold or have spent was granted at some point.
    await q.query('UPDATE users SET granted_quota = quota + used_quota');
    await q.query('UPDATE tokens SET granted_quota = remain_quota + used_quota');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('tokens', 'granted_quota');
    await q.dropColumn('users', 'granted_quota');
    await q.dropTable('idempotency_keys', true);
    await q.dropTable('reservations', true);
  }
}
