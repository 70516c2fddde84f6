import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Workspace root (tests run from source; spawned services run the tsc build in dist/). */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/** Path of a compiled file under dist/; tells the developer to build when it is missing. */
export function distFile(relativePath: string): string {
  const file = join(WORKSPACE_ROOT, 'dist', relativePath);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test does it first)`);
  return file;
}
