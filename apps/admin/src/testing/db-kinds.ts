import { availableDbKinds, type DbKind } from '@oneapi/testing';

/** The kinds every admin suite runs on; a suite checks `enabled(kind)` in beforeAll (MariaDB may be absent locally, never under CI). */
export const DB_KINDS: DbKind[] = ['sqlite', 'mysql'];

export async function dbEnabled(kind: DbKind): Promise<boolean> {
  return (await availableDbKinds()).includes(kind);
}
