#!/usr/bin/env node
// Builds the server-side code (relay, admin, worker, libs, tools) with tsc into dist/, links the
// @oneapi/* libraries so Node resolves them from dist/, and (unless --server-only) the console.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
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

// Test harnesses (testing/, __tests__/, libs/testing) are not part of the build
// (tsconfig.build.json); drop what an older build left of them. The one exception is the
// bootstrap child a spec spawns from dist/.
const KEEP_IN_DIST = new Set(['bootstrap-child.js', 'bootstrap-child.js.map']);
function pruneHarnesses(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    if (entry.name === 'testing') rmSync(p, { recursive: true, force: true });
    else if (entry.name === '__tests__') {
      for (const f of readdirSync(p)) if (!KEEP_IN_DIST.has(f)) rmSync(join(p, f), { recursive: true, force: true });
    } else pruneHarnesses(p);
  }
}
for (const top of ['apps', 'libs', 'tools']) pruneHarnesses(join(root, 'dist', top));

const scope = join(root, 'dist/node_modules/@oneapi');
mkdirSync(scope, { recursive: true });
for (const lib of readdirSync(join(root, 'libs'))) {
  const target = join(root, 'dist/libs', lib, 'src');
  const link = join(scope, lib);
  rmSync(link, { force: true, recursive: true });
  if (!existsSync(target)) continue;
  symlinkSync(relative(scope, target), link, 'dir');
}

// The console build is slow (~1 min): skip it when .next/BUILD_ID is newer than every console
// and libs/domain source file, unless --force.
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', 'e2e', 'test-results'].includes(entry.name)) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const consoleDir = join(root, 'apps/console');
if (!args.has('--server-only') && existsSync(join(consoleDir, 'package.json'))) {
  const buildId = join(consoleDir, '.next/BUILD_ID');
  const fresh =
    !args.has('--force') &&
    existsSync(buildId) &&
    statSync(buildId).mtimeMs > Math.max(newestMtime(consoleDir), newestMtime(join(root, 'libs/domain/src')));
  if (fresh) process.stdout.write('console build is up to date\n');
  else run(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: consoleDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}
