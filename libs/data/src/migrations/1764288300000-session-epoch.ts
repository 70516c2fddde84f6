import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A per-user session epoch (issue 11): every session cookie carries the epoch it was issued
 * under, and a password change, a disable or a role change moves the user's epoch on, so every
 * older cookie is refused at its next request on every admin node. Existing cookies carry no
 * epoch and count as 0, so an upgrade signs nobody out.
 */
export class SessionEpoch1764288300000 implements MigrationInterface {
  name = 'SessionEpoch1764288300000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'session_epoch', type: 'integer', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('users', 'session_epoch');
  }
}
