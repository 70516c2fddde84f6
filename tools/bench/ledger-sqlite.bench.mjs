#!/usr/bin/env node
// SQLite ledger micro-benchmark: the relay's ledger store (libs/data/src/repositories/relay/
// ledger-sqlite.ts) applying groups in-process on a temp SQLite file opened the way the relay
// opens it (migrations, synchronous = NORMAL), one token, one user, one channel, a consume log
// row per settlement. No HTTP, no RelayLedger timers: the store's apply() alone.
//
//   node tools/bench/ledger-sqlite.bench.mjs
//
// Two shapes per group size G:
//   steady: each group settles the previous group's G requests and reserves G new ones (how
//           RelayLedger groups under load: due settlements first, then the turn's reservations);
//   split:  a group of G reservations, then a group of their G settlements.
// Prints wall and CPU (user + system) µs per request (one reservation + one settlement) and
// statements per group, for this checkout's store and for an older one (LEDGER_BENCH_BASE, a
// git revision, default HEAD: e.g. LEDGER_BENCH_BASE=0fed90f for the one-by-one store), rounds
// alternating between them. LEDGER_BENCH_BREAKDOWN=1 adds the time spent in each statement.
//
// Environment: LEDGER_BENCH_REQUESTS (per round and shape, 4000), LEDGER_BENCH_ROUNDS (7),
// LEDGER_BENCH_GROUPS ("8,32"). The table shows the median round and the range. TypeScript is
// loaded through @swc/core (as Jest does). Not a test.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { typeScriptSources } from './ts-source.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = (k, d) => process.env[k] ?? d;
const REQUESTS = Number(env('LEDGER_BENCH_REQUESTS', 4000));
const ROUNDS = Number(env('LEDGER_BENCH_ROUNDS', 7));
const GROUPS = env('LEDGER_BENCH_GROUPS', '8,32').split(',').map(Number);
const BASE = env('LEDGER_BENCH_BASE', 'HEAD');
const STORE = 'libs/data/src/repositories/relay/ledger-sqlite.ts';

const { require, loadAs } = typeScriptSources(root);

const { loadConfig } = require(join(root, 'libs/config/src/index.ts'));
const { Database } = require(join(root, 'libs/data/src/index.ts'));
const current = require(join(root, STORE)).SqliteLedgerStore;
const baseSource = execFileSync('git', ['-C', root, 'show', `${BASE}:${STORE}`], { encoding: 'utf8' });
const base = loadAs(baseSource, join(root, dirname(STORE), `ledger-sqlite.${BASE.replace(/\W/g, '_')}.ts`)).SqliteLedgerStore;

const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
const db = await Database.open(loadConfig({ SQLITE_PATH: join(dir, 'one-api.db'), SESSION_SECRET: randomBytes(24).toString('hex'), LOG_LEVEL: 'silent' }));
const conn = db.source.driver.databaseConnection;
const exec = (sql) => conn.exec(sql);
const BIG = 1e15;
const reset = () => {
  exec('DELETE FROM reservations; DELETE FROM tokens; DELETE FROM users; DELETE FROM channels; DELETE FROM logs;');
  exec(`INSERT INTO users (id, username, password, display_name, role, status, quota, used_quota, granted_quota, request_count, aff_code) VALUES (1, 'u1', 'x', 'u1', 1, 1, ${BIG}, 0, ${BIG}, 0, 'aff1')`);
  exec(
    `INSERT INTO tokens (id, user_id, \`key\`, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, granted_quota) VALUES (1, 1, '${'k'.repeat(48)}', 1, 't1', 0, 0, -1, ${BIG}, 0, 0, ${BIG})`,
  );
  exec("INSERT INTO channels (id, type, `key`, status, name, base_url, models, `group`) VALUES (1, 1, 'sk-x', 1, 'c1', 'http://127.0.0.1:1', 'gpt-4o-mini', 'default')");
  exec('PRAGMA wal_checkpoint(TRUNCATE)');
};

// Statements per group: every run/get/all on a prepared statement (BEGIN and COMMIT included).
const proto = Object.getPrototypeOf(conn.prepare('SELECT 1'));
let statements = 0;
let measuring = '';
// LEDGER_BENCH_BREAKDOWN=1: also the time spent in each statement (its SQL's first words), summed per store.
const breakdown = process.env.LEDGER_BENCH_BREAKDOWN === '1' ? new Map() : null;
for (const m of ['run', 'get', 'all', 'iterate']) {
  const original = proto[m];
  proto[m] = breakdown
    ? function (...args) {
        statements++;
        const t0 = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          const key = `${measuring}: ${this.source.replace(/\(.*$/s, '').slice(0, 48)}`;
          breakdown.set(key, (breakdown.get(key) ?? 0) + performance.now() - t0);
        }
      }
    : function (...args) {
        statements++;
        return original.apply(this, args);
      };
}

let seq = 0;
const reservation = (id) => ({ requestId: id, tokenId: 1, userId: 1, amount: 1000, tokenUnlimited: false });
const settlement = (id) => ({
  requestId: id,
  tokenId: 1,
  userId: 1,
  amount: 1000,
  tokenCharged: true,
  channelId: 1,
  cost: 420,
  countRequest: true,
  log: { userId: 1, createdAt: 1_900_000_000, type: 2, content: 'model price 1.00', username: 'u1', tokenName: 't1', modelName: 'gpt-4o-mini', quota: 420, promptTokens: 12, completionTokens: 34, channelId: 1, requestId: id, elapsedTime: 321, isStream: false },
});
const op = (kind, x) => ({ kind, [kind === 'reserve' ? 'r' : 's']: x, resolve: check, reject: () => {} });
function check(result) {
  if (result !== 'ok' && result !== 'settled') throw new Error(`unexpected ${result}`);
}

/** µs per request and statements per group for `requests` requests in groups of `g`. */
async function measure(Store, g, shape, requests) {
  reset();
  const store = new Store(db, 'bench');
  const groups = Math.ceil(requests / g);
  const plan = [];
  let previous = [];
  // Built up front: the figure is the store's work, not the bench's.
  for (let i = 0; i < groups; i++) {
    const ids = Array.from({ length: g }, () => `req-${++seq}`);
    if (shape === 'steady') plan.push([...previous.map((id) => op('settle', settlement(id))), ...ids.map((id) => op('reserve', reservation(id)))]);
    else plan.push(ids.map((id) => op('reserve', reservation(id))), ids.map((id) => op('settle', settlement(id))));
    previous = ids;
  }
  if (shape === 'steady') plan.push(previous.map((id) => op('settle', settlement(id))));
  statements = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let now = 1_900_000_000_000;
  for (const ops of plan) await store.apply(ops, (now += 7), now + 600_000);
  const us = ((performance.now() - t0) * 1000) / (groups * g);
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / (groups * g);
  const perGroup = statements / plan.length;
  await store.close();
  return { us, cpuUs, perGroup };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);
const variants = [
  [`base (${BASE})`, base],
  ['this checkout', current],
];
const rows = [];
for (const g of GROUPS) {
  for (const shape of ['steady', 'split']) {
    const runs = variants.map(() => ({ us: [], cpuUs: [], perGroup: 0 }));
    // Warm-up, then rounds alternating between the stores so that both see the same machine load.
    for (const [, Store] of variants) await measure(Store, g, shape, Math.min(REQUESTS, 1000));
    for (let r = 0; r < ROUNDS; r++) {
      for (let v = 0; v < variants.length; v++) {
        measuring = variants[v][0];
        const m = await measure(variants[v][1], g, shape, REQUESTS);
        measuring = '';
        runs[v].us.push(m.us);
        runs[v].cpuUs.push(m.cpuUs);
        runs[v].perGroup = m.perGroup;
      }
    }
    for (let v = 0; v < variants.length; v++) {
      const { us, cpuUs } = runs[v];
      const cell = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
      rows.push(`| ${g} | ${shape} | ${variants[v][0]} | ${cell(us)} | ${cell(cpuUs)} | ${fmt(runs[v].perGroup)} |`);
    }
  }
}
console.log(`\n${REQUESTS} requests per round, ${ROUNDS} rounds; µs per request = one reservation + one settlement (with its log row)\n`);
console.log('| group | shape | store | wall µs/request, median (range) | CPU µs/request, median (range) | statements/group |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (breakdown) {
  const total = [...breakdown.values()].reduce((a, b) => a + b, 0);
  console.log('\nms inside statements over the measured rounds, per store (% of all stores):');
  for (const [sql, ms] of [...breakdown].filter(([k]) => !k.startsWith(':')).sort((a, b) => b[1] - a[1])) console.log(`${ms.toFixed(0).padStart(8)}  ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${sql}`);
}
await db.close();
rmSync(dir, { recursive: true, force: true });
