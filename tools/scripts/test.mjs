#!/usr/bin/env node
// `npm test`: lints (module boundaries, zero warnings) and type-checks the code with its specs,
// builds (the integration and browser tests spawn the compiled services and the console's
// production build), then runs every unit, integration and browser test with Jest and prints a
// final `N passed, N failed` line, where a failed lint or type-check counts as one failure each.
// Extra arguments go to Jest (e.g. a path filter).
// Suites run one at a time: they start real servers and measure event-loop stalls, and on a
// 2-core machine two suites at once make those measurements noise.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);

// The checks run before the tests, and the tests still run when one fails, so a single run
// reports everything.
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const checks = [
  ['lint', join(root, 'node_modules/nx/dist/bin/nx.js'), ['run-many', '-t', 'lint', '--outputStyle=static']],
  ['type-check (code and specs)', tsc, ['-p', 'tsconfig.spec.json']],
  ['type-check (console e2e)', tsc, ['-p', 'apps/console/tsconfig.e2e.json']],
];
const failedChecks = [];
for (const [name, script, scriptArgs] of checks) {
  process.stdout.write(`== ${name}\n`);
  const r = spawnSync(process.execPath, [script, ...scriptArgs], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failedChecks.push(name);
}
if (failedChecks.length) process.stdout.write(`failed before the tests: ${failedChecks.join(', ')}\n`);

const build = spawnSync(process.execPath, [join(root, 'tools/scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.stdout.write(`0 passed, ${1 + failedChecks.length} failed\n`);
  process.exit(1);
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const out = join(root, 'test-results/jest.json');
// A report left by an earlier run must not stand in for this one's.
rmSync(out, { force: true });
const jest = spawnSync(
  process.execPath,
  [join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--maxWorkers=1', '--forceExit', '--json', `--outputFile=${out}`, ...args],
  { cwd: root, stdio: 'inherit' },
);
let passed = 0;
let failed = failedChecks.length;
if (existsSync(out)) {
  const result = JSON.parse(readFileSync(out, 'utf8'));
  passed = result.numPassedTests;
  failed += result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0);
  if (result.numPendingTests > 0) process.stdout.write(`note: ${result.numPendingTests} tests were skipped\n`);
} else {
  failed += 1;
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);
