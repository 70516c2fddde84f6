#!/usr/bin/env node
// Builds the server-side code (relay, admin, worker, libs, tools) with tsc into dist/, links the
// @oneapi/* libraries so Node resolves them from dist/, and (unless --server-only) the console.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Set(process.argv.slice(2));

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tsc = join(root, 'node_modules/.bin/tsc');
run(tsc, ['-p', 'tsconfig.build.json']);

const scope = join(root, 'dist/node_modules/@oneapi');
mkdirSync(scope, { recursive: true });
for (const lib of readdirSync(join(root, 'libs'))) {
  const target = join(root, 'dist/libs', lib, 'src');
  const link = join(scope, lib);
  if (!existsSync(target)) continue;
  rmSync(link, { force: true, recursive: true });
  symlinkSync(relative(scope, target), link, 'dir');
}

if (!args.has('--server-only') && existsSync(join(root, 'apps/console/package.json'))) {
  run(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: join(root, 'apps/console') });
}
