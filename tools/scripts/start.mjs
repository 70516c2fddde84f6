#!/usr/bin/env node
// `npm start`: runs the gateway on one machine. Embedded mode by default (SQLite in ./data, no
// Redis): relay (:3000), admin API (:3002) and the console (:3001); background jobs run inside the
// admin process. With REDIS_CONN_STRING set, the BullMQ worker is started too.
// Builds first when dist/ or the console build is missing (a fresh clone).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// A .env file at the root is read like One API's; variables already exported win.
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
// Readable log lines in a terminal; LOG_FORMAT=json gives the services' JSON lines (files under
// LOG_DIR are JSON either way).
env.LOG_FORMAT ||= 'text';
const consoleDir = join(root, 'apps/console');

const needsServer = !existsSync(join(root, 'dist/apps/relay/src/main.js')) || !existsSync(join(root, 'dist/apps/admin/src/main.js'));
const needsConsole = existsSync(join(consoleDir, 'package.json')) && !existsSync(join(consoleDir, '.next/BUILD_ID'));
if (needsServer || needsConsole) {
  process.stdout.write('Building (first start)...\n');
  const r = spawnSync(process.execPath, [join(root, 'tools/scripts/build.mjs')], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The console signs each browser's address for the admin with SESSION_SECRET, so it needs the
// same secret; in embedded mode that is the one kept in the data folder (created here if new).
if (!env.SESSION_SECRET) {
  const { loadConfig } = await import(pathToFileURL(join(root, 'dist/libs/config/src/load-config.js')).href);
  try {
    // Undefined in distributed mode: the admin nodes then share the one the master keeps in the
    // database, and the console falls back to its own address (README, SESSION_SECRET).
    const { sessionSecret } = loadConfig(env);
    if (sessionSecret) env.SESSION_SECRET = sessionSecret;
  } catch {
    // A bad configuration: the admin names the variable when it refuses to start.
  }
}

const relayPort = env.PORT || '3000';
const adminPort = env.ADMIN_PORT || '3002';
const consolePort = env.CONSOLE_PORT || '3001';
env.ADMIN_URL ||= `http://127.0.0.1:${adminPort}`;
env.RELAY_URL ||= `http://localhost:${relayPort}`;
env.CONSOLE_URL ||= `http://localhost:${consolePort}`;

const services = [
  { name: 'admin', cmd: process.execPath, args: [join(root, 'dist/apps/admin/src/main.js')], cwd: root },
  { name: 'relay', cmd: process.execPath, args: [join(root, 'dist/apps/relay/src/main.js')], cwd: root },
];
if (env.REDIS_CONN_STRING) services.push({ name: 'worker', cmd: process.execPath, args: [join(root, 'dist/apps/worker/src/main.js')], cwd: root });
if (existsSync(join(consoleDir, '.next/BUILD_ID'))) {
  services.push({ name: 'console', cmd: process.execPath, args: [join(consoleDir, 'server.mjs'), '-p', consolePort], cwd: consoleDir });
}

const children = new Map();
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const timer = setTimeout(() => process.exit(code), 35_000);
  timer.unref();
  const check = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}

for (const s of services) {
  const child = spawn(s.cmd, s.args, { cwd: s.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.set(s.name, child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${s.name} exited (${signal ?? code}); stopping the others\n`);
      stopAll(code || 1);
    }
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

// Tell the operator where everything is once the services answer.
const deadline = Date.now() + 120_000;
async function ready(url) {
  try {
    const res = await fetch(url);
    return res.status < 500;
  } catch {
    return false;
  }
}
(async () => {
  const checks = [`http://127.0.0.1:${relayPort}/healthz`, `http://127.0.0.1:${adminPort}/healthz`];
  if (children.has('console')) checks.push(`http://127.0.0.1:${consolePort}/login`);
  while (Date.now() < deadline && !stopping) {
    const results = await Promise.all(checks.map(ready));
    if (results.every(Boolean)) {
      const login = env.INITIAL_ROOT_PASSWORD ? 'root / (your INITIAL_ROOT_PASSWORD)' : 'root / 123456 (you will be asked to change it)';
      process.stdout.write(
        `\n  One API TS is running (${env.SQL_DSN ? 'distributed' : 'embedded, SQLite at ' + (env.SQLITE_PATH || './data/one-api.db')})\n` +
          `  Console:          http://localhost:${consolePort}\n` +
          `  OpenAI base URL:  http://localhost:${relayPort}/v1\n` +
          `  Admin API:        http://localhost:${adminPort}/api (OpenAPI: /api/openapi.json)\n` +
          `  Log in with:      ${login}\n\n`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();
