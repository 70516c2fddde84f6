#!/usr/bin/env node
// `npm test`: builds (the integration and browser tests spawn the compiled services and the
// console's production build), then runs every unit, integration and browser test with Jest and
// prints a final `N passed, N failed` line. Extra arguments go to Jest (e.g. a path filter).
// Suites run one at a time: they start real servers and measure event-loop stalls, and on a
// 2-core machine two suites at once make those measurements noise.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);

const build = spawnSync(process.execPath, [join(root, 'tools/scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

mkdirSync(join(root, 'test-results'), { recursive: true });
const out = join(root, 'test-results/jest.json');
const jest = spawnSync(
  process.execPath,
  [join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--maxWorkers=1', '--forceExit', '--json', `--outputFile=${out}`, ...args],
  { cwd: root, stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
if (existsSync(out)) {
  const result = JSON.parse(readFileSync(out, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0);
  if (result.numPendingTests > 0) process.stdout.write(`note: ${result.numPendingTests} tests were skipped\n`);
} else {
  failed = 1;
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);
