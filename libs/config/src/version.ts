import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'oneapi-ts' && pkg.version) return `v${pkg.version}`;
    }
    dir = dirname(dir);
  }
  return 'v0.0.0';
}

/** The product version, from the root package.json. */
export const APP_VERSION = findVersion();
export const APP_NAME = 'One API TS';
