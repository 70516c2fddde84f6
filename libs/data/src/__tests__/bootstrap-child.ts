// Child process for the "two processes start together" test: bootstraps the database given in CHILD_DB.
import type { DatabaseConfig } from '@oneapi/config';
import { openDataSource } from '../data-source';
import { bootstrapDatabase } from '../bootstrap';

async function main() {
  const config = JSON.parse(process.env['CHILD_DB'] ?? '{}') as DatabaseConfig;
  const ds = await openDataSource(config);
  const result = await bootstrapDatabase(ds, { isMaster: true });
  process.stdout.write(`rootCreated=${result.rootCreated}\n`);
  await ds.destroy();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
