#!/usr/bin/env node
// `npm run bench`: the relay's latency/throughput/CPU benchmark in one command.
//
// Starts, all on 127.0.0.1: the fast mock upstream (mock-upstream.mjs, copied from
// ../shared/bench), nginx (1 worker, keep-alive upstream pool, proxy_buffering off) as the floor
// of one proxy hop, and the relay (dist build, one OpenAI channel pointed at the mock, the initial
// root token as client key). Then drives wrk at each concurrency against direct / nginx / relay
// for JSON and streaming requests, runs a sequential c=1 probe (JSON latency, time to first
// streamed token, end of stream) and prints one table.
//
// Deployments (BENCH_MODE): `embedded` (default; SQLite in a temp dir, no Redis), `distributed`
// (SQL_DSN = a fresh MariaDB database created for the run and dropped at the end,
// REDIS_CONN_STRING = a dedicated, empty Redis DB index whose oneapi:* keys are deleted at the end; the
// relay migrates it on boot as master) or `both` (embedded, then distributed, one relay at a
// time; direct and nginx are measured once). In distributed mode every relay row also gets the
// SQL statements (MariaDB `Questions`) and Redis commands (`INFO commandstats` calls) the servers
// executed per relayed request over the measured window, the bench's own status reads removed,
// and the CPU the two servers used per request. See tools/bench/README.md.
//
// Flags: --memory (RSS with BENCH_IDLE_STREAMS=1000 open idle streams), --flat (throughput with
// 10 vs BENCH_FLAT_ROWS=100000 tokens and channels), --all (both), --no-load (skip the wrk
// tables and the c=1 probe). e.g. `npm run bench -- --all`. --memory and --flat run against the
// embedded relay only.
//
// Environment: BENCH_DURATION (s per step, 5), BENCH_CONCURRENCY ("1 32 128"), BENCH_MODES
// ("json stream"), BENCH_TARGETS ("direct nginx relay"), BENCH_SKIP_BUILD=1 (use dist/ as is),
// BENCH_PROBE_ROUNDS (300), BENCH_NODE_ARGS (extra node flags for the relay, e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof"), BENCH_HOLD=1 (start the stack and wait, for manual probing), BENCH_PIN=1 (relay on CPU 0, mock + wrk on CPU 1 via taskset),
// BENCH_CAPS=1 (every admission cap on, never refusing), BENCH_UPSTREAM (the channel's base URL, e.g. http://127.0.0.1:18080 for ../shared/bench), BENCH_MODE (embedded | distributed | both), BENCH_TOKENS=N BENCH_USERS=M (N client tokens over
// M users, requests round robin over the tokens; default: the root token alone),
// BENCH_SQL_DSN (server-level, mysql://root@127.0.0.1:3306/), BENCH_REDIS_URL
// (redis://127.0.0.1:6379), BENCH_REDIS_DB (auto: an empty index of 1-15), BENCH_TIMEOUT (s, 1200).
// Needs `wrk` and `nginx` (Debian: apt-get install -y wrk nginx-light). Not a test.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d);
const DURATION = Number(env('BENCH_DURATION', 5));
const CONCURRENCY = env('BENCH_CONCURRENCY', '1 32 128').split(/\s+/).map(Number);
const MODES = env('BENCH_MODES', 'json stream').split(/\s+/);
const TARGETS = env('BENCH_TARGETS', 'direct nginx relay').split(/\s+/);
const PROBE_ROUNDS = Number(env('BENCH_PROBE_ROUNDS', 300));
const PIN = env('BENCH_PIN', '1') === '1' && spawnSync('taskset', ['--version']).status === 0;
const PIN_SERVERS = PIN && env('BENCH_PIN_SERVERS', '1') === '1';
const FLAGS = new Set(process.argv.slice(2));
const LOAD = !FLAGS.has('--no-load');
const MEMORY = FLAGS.has('--memory') || FLAGS.has('--all');
const FLAT = FLAGS.has('--flat') || FLAGS.has('--all');
const IDLE_STREAMS = Number(env('BENCH_IDLE_STREAMS', 1000));
const FLAT_ROWS = Number(env('BENCH_FLAT_ROWS', 100000));
const DEPLOY = env('BENCH_MODE', 'embedded');
const DEPLOYS = DEPLOY === 'both' ? ['embedded', 'distributed'] : [DEPLOY];
const TOKENS = Number(env('BENCH_TOKENS', 0));
const USERS = Number(env('BENCH_USERS', TOKENS > 0 ? 1 : 0));
/** BENCH_CAPS=1: every admission cap on (user, token, channel concurrency, RPM, TPM), set too high to refuse. */
const CAPS = env('BENCH_CAPS', '0') === '1';
/** BENCH_UPSTREAM: the channel's base URL instead of this run's mock (with BENCH_HOLD, for ../shared/bench's compare.sh and its mock on 18080). */
const UPSTREAM = env('BENCH_UPSTREAM', '');
if (UPSTREAM && env('BENCH_HOLD', '0') !== '1') {
  console.error('bench: BENCH_UPSTREAM only goes with BENCH_HOLD=1 (the relay is measured by whoever runs that upstream)');
  process.exit(2);
}
const SQL_SERVER = env('BENCH_SQL_DSN', 'mysql://root@127.0.0.1:3306/');
const REDIS_SERVER = env('BENCH_REDIS_URL', 'redis://127.0.0.1:6379').replace(/\/\d*$/, '');
const REDIS_DB = env('BENCH_REDIS_DB', 'auto');
const TIMEOUT_S = Number(env('BENCH_TIMEOUT', 1200));
const KEY = 'sk-benchbenchbenchbenchbenchbenchbenchbenchbenchbe';
/** Client keys: the root token, or BENCH_TOKENS seeded tokens (48 characters after `sk-`). */
const KEYS = TOKENS > 0 ? Array.from({ length: TOKENS }, (_, i) => `sk-benchtok${String(i).padStart(40, '0')}`) : [KEY];
const MODEL = 'gpt-4o-mini';
const JSON_BODY = JSON.stringify({
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Say hello.' },
  ],
  max_tokens: 32,
});
// A stream that sends its first chunk, then idles for ten minutes (mock-upstream's model knobs).
const SLOW_MODEL = `${MODEL}-chunks-1-delay-600000`;
const PROBE_MODEL = `${MODEL}-delay-20`;
const STREAM_BODY = JSON.stringify({ ...JSON.parse(JSON_BODY), stream: true, stream_options: { include_usage: true } });
/** Quota of every seeded user and token: far more than any run spends. */
const SEED_QUOTA = 1e15;

if (!DEPLOYS.every((d) => d === 'embedded' || d === 'distributed')) {
  console.error(`bench: BENCH_MODE must be embedded, distributed or both (got "${DEPLOY}")`);
  process.exit(2);
}
if (!Number.isInteger(TOKENS) || TOKENS < 0 || !Number.isInteger(USERS) || USERS < 0 || (TOKENS > 0 && (USERS < 1 || USERS > TOKENS))) {
  console.error('bench: BENCH_TOKENS and BENCH_USERS must be whole numbers with 1 <= BENCH_USERS <= BENCH_TOKENS');
  process.exit(2);
}

const children = [];
const work = mkdtempSync(join(tmpdir(), 'oneapi-bench-'));
/** What the distributed deployment created outside this process (undone by teardown). */
const dist = { database: null, dropped: false, redisDb: null, redisCleaned: true, admin: null, redis: null };

/** Server processes moved to CPU 1 for the run, with the affinity mask they had (restored at exit). */
const pinnedServers = new Map();
function pinServer(pid) {
  const mask = /affinity mask: ([0-9a-f]+)/.exec(spawnSync('taskset', ['-p', String(pid)], { encoding: 'utf8' }).stdout ?? '')?.[1];
  if (!mask || spawnSync('taskset', ['-a', '-p', '-c', '1', String(pid)], { stdio: 'ignore' }).status !== 0) return;
  pinnedServers.set(pid, mask);
}

/** Last resort on exit (sync): kill what is left, drop the database, delete the Redis DB's keys. */
function cleanupSync() {
  for (const [pid, mask] of pinnedServers) spawnSync('taskset', ['-a', '-p', mask, String(pid)], { stdio: 'ignore' });
  pinnedServers.clear();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if ((dist.database && !dist.dropped) || !dist.redisCleaned) {
    const script = `
      const run = async () => {
        if (${JSON.stringify(dist.database && !dist.dropped ? dist.database : null)}) {
          const c = await require(${JSON.stringify(join(root, 'node_modules/mysql2/promise'))}).createConnection(${JSON.stringify(sqlConnectionOptions())});
          await c.query('SET SESSION lock_wait_timeout = 20');
          await c.query('DROP DATABASE IF EXISTS \`${dist.database}\`');
          await c.end();
        }
        if (${JSON.stringify(dist.redisCleaned ? null : dist.redisDb)} !== null) {
          const Redis = require(${JSON.stringify(join(root, 'node_modules/ioredis'))});
          const r = new Redis(${JSON.stringify(`${REDIS_SERVER}/${dist.redisDb}`)});
          let cursor = '0';
          do { const [next, keys] = await r.scan(cursor, 'MATCH', 'oneapi:*', 'COUNT', 1000); cursor = next; if (keys.length) await r.del(...keys); } while (cursor !== '0');
          await r.quit();
        }
      };
      run().then(() => process.exit(0), (e) => { console.error('bench cleanup:', e.message); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit', timeout: 45_000 });
    if (r.status !== 0) console.error(`bench: could not clean up; drop database ${dist.database} and the keys of Redis DB ${dist.redisDb} by hand`);
  }
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
/** Set by a signal or BENCH_TIMEOUT: the exit code; the run stops at its next step. */
let stopCode = null;
const stop = (code) => {
  if (stopCode !== null) process.exit(code); // second signal: exit now (cleanupSync still runs)
  stopCode = code;
  console.error(`\nbench: stopping (${code === 124 ? `BENCH_TIMEOUT=${TIMEOUT_S} s reached` : 'signal'}), cleaning up ...`);
  teardown().finally(() => process.exit(code));
};
const checkStop = () => {
  if (stopCode !== null) throw new Error('bench: stopped');
};
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));
setTimeout(() => stop(124), TIMEOUT_S * 1000).unref();

function need(cmd) {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    console.error(`bench: ${cmd} is missing (Debian: apt-get install -y wrk nginx-light)`);
    process.exit(2);
  }
}

async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function start(name, cmd, args, opts = {}, cpu) {
  const full = PIN && cpu !== undefined ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let log = '';
  child.stdout.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.stderr.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.on('exit', (code) => {
    if (code && code !== 0 && code !== 143) console.error(`bench: ${name} exited with ${code}\n${log.slice(-2000)}`);
  });
  children.push(child);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let tornDown = null;
/**
 * Stops every child, drops the run's database and deletes the relay's `oneapi:*` keys from the
 * run's Redis DB index (empty when the run picked it), also on failure.
 */
function teardown() {
  tornDown ??= doTeardown();
  return tornDown;
}
async function doTeardown() {
  await Promise.all(children.map((c) => stopChild(c)));
  try {
    if (dist.database && !dist.dropped && dist.admin) {
      await dist.admin.query('SET SESSION lock_wait_timeout = 20');
      await dist.admin.query(`DROP DATABASE IF EXISTS \`${dist.database}\``);
      dist.dropped = true;
    }
  } catch (error) {
    console.error(`bench: DROP DATABASE ${dist.database} failed: ${error.message}`);
  }
  try {
    if (!dist.redisCleaned && dist.redis) {
      await dist.redis.select(dist.redisDb);
      let cursor = '0';
      do {
        const [next, keys] = await dist.redis.scan(cursor, 'MATCH', 'oneapi:*', 'COUNT', 1000);
        cursor = next;
        if (keys.length) await dist.redis.del(...keys);
      } while (cursor !== '0');
      dist.redisCleaned = true;
    }
  } catch (error) {
    console.error(`bench: deleting the keys of Redis DB ${dist.redisDb} failed: ${error.message}`);
  }
  await dist.admin?.end().catch(() => undefined);
  if (dist.redis) await dist.redis.quit().catch(() => dist.redis.disconnect());
}

function httpCall(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    let firstByte = 0n;
    let firstData = 0n;
    const req = request(url, { method, headers: { 'content-type': 'application/json', ...headers }, agent: keepAlive }, (r) => {
      let text = '';
      r.on('data', (d) => {
        if (!firstByte) firstByte = process.hrtime.bigint();
        text += d;
        if (!firstData && text.includes('"content"')) firstData = process.hrtime.bigint();
      });
      r.on('end', () => {
        const end = process.hrtime.bigint();
        const ms = (x) => Number(x - t0) / 1e6;
        res({ status: r.statusCode, text, total: ms(end), ttfb: ms(firstByte || end), ttft: ms(firstData || end) });
      });
    });
    req.on('error', rej);
    if (body) req.write(body);
    req.end();
  });
}
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

async function waitFor(fn, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** utime + stime of a process and its threads, in microseconds. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLK_TCK;
}
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const cpuMicrosOrZero = (pid) => {
  try {
    return cpuMicros(pid);
  } catch {
    return 0; // gone meanwhile
  }
};

/**
 * One wrk run; `keys`: more than one cycles round robin through them (wrk-chat.lua's BENCH_KEYS).
 * Asynchronous on purpose: a signal that reaches Node inside spawnSync kills it without its
 * handlers, and then nothing would be cleaned up.
 */
async function wrk(url, body, concurrency, duration, keys = [KEY]) {
  const args = ['-t1', `-c${concurrency}`, `-d${duration}s`, '--timeout', '10s', '-s', join(here, 'wrk-chat.lua'), url];
  // bash's `times` prints the CPU its children (wrk) used: the load generator's share of the machine.
  const script = ['bash', '-c', 'wrk "$@"; s=$?; times; exit $s', 'bash', ...args];
  const cmd = PIN ? ['taskset', ['-c', '1', ...script]] : [script[0], script.slice(1)];
  const child = spawn(cmd[0], cmd[1], {
    env: { ...process.env, BENCH_PATH: '/v1/chat/completions', BENCH_BODY: body, BENCH_KEY: keys[0], BENCH_KEYS: keys.length > 1 ? keys.join(',') : '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
  const code = await new Promise((res) => child.on('close', (c, signal) => res(c ?? signal)));
  clearTimeout(timer);
  children.splice(children.indexOf(child), 1);
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk failed (${code}): ${out}`);
  const times = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1); // children: user, system
  const cpuMicros = times ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1e6 : 0;
  return { ...JSON.parse(line.slice('WRK_JSON '.length)), cpuMicros };
}

/** Machine-wide CPU time from /proc/stat in µs: busy (user, nice, system, irq, softirq) and steal. */
function machineMicros() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const us = (ticks) => (ticks * 1e6) / CLK_TCK;
  return { busy: us(f[0] + f[1] + f[2] + f[5] + f[6]), steal: us(f[7] ?? 0), at: process.hrtime.bigint() };
}
const NCPU = availableParallelism();

const pct = (arr, p) => {
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// ---- distributed deployment: MariaDB database, Redis DB index, server-side counters ----------

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
function sqlConnectionOptions() {
  const u = new URL(SQL_SERVER);
  if (u.protocol !== 'mysql:' || !LOOPBACK.has(u.hostname)) throw new Error(`bench: BENCH_SQL_DSN must be mysql://user[:pass]@127.0.0.1:port/ (got ${SQL_SERVER})`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password) };
}
function sqlDsnFor(database) {
  const o = sqlConnectionOptions();
  const auth = `${encodeURIComponent(o.user)}${o.password ? `:${encodeURIComponent(o.password)}` : ''}`;
  return `mysql://${auth}@${o.host}:${o.port}/${database}`;
}

/**
 * Counter snapshots that subtract the bench's own reads (calibrated on back-to-back reads).
 * `read()` returns `{ values, clients }`: server counters, and the other connections to the server
 * (to tell whether someone else was active during a window, since the counters are server-wide).
 */
class Counters {
  constructor(read) {
    this.read = read;
    this.own = {};
  }
  async calibrate(pairs = 4) {
    const deltas = [];
    let prev = await this.read();
    for (let i = 0; i < pairs; i++) {
      const next = await this.read();
      deltas.push(diff(next.values, prev.values));
      prev = next;
    }
    // Per counter, the smallest increase between two back-to-back reads: what one read adds.
    const own = {};
    for (const k of new Set(deltas.flatMap((d) => Object.keys(d)))) own[k] = Math.min(...deltas.map((d) => d[k] ?? 0));
    this.own = own;
  }
  /** Increase from `before` to `after` minus the one read that took `after`. */
  delta(before, after) {
    const d = diff(after.values, before.values);
    for (const [k, v] of Object.entries(this.own)) if (d[k] !== undefined) d[k] = Math.max(0, d[k] - v);
    return d;
  }
}
function diff(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(a)) {
    const x = v - (b[k] ?? 0);
    if (x) out[k] = x;
  }
  return out;
}
/**
 * Other clients that may have sent commands during a window of `seconds`: connected at either
 * end but not at both (opened or closed meanwhile), or connected at both and not idle throughout.
 * `unseen`: connections opened meanwhile (`opened`, the server's connection counter) that were
 * gone by the end and not the relay's surviving new ones: short-lived, whoever's they were.
 */
function othersActive(before, after, seconds, opened) {
  const active = [];
  let appeared = 0;
  for (const [id, c] of after.clients) {
    if (!before.clients.has(id)) {
      active.push(`new ${c.label}`);
      appeared++;
    } else if (c.busy || c.idle < seconds) active.push(c.label);
  }
  for (const [id, c] of before.clients) if (!after.clients.has(id)) active.push(`closed ${c.label}`);
  const relayNew = [...after.relay].filter((id) => !before.relay.has(id)).length;
  return { active, unseen: Math.max(0, opened - relayNew - appeared) };
}
/** Statements the relay never sends once it serves: someone else (a test suite) was at work. */
const FOREIGN_SQL = /^Com_(create|drop|alter|truncate|rename|grant|revoke|change_db)/;

/** MariaDB: `Questions` plus the `Com_*` counters (what kinds of statements), server-wide. */
const readSqlStatus = async () => {
  const [procs] = await dist.admin.query('SELECT ID, USER, HOST, DB, COMMAND, TIME FROM information_schema.PROCESSLIST');
  const clients = new Map();
  const relay = new Set();
  for (const p of procs) {
    if (p.DB === dist.database) relay.add(Number(p.ID));
    if (Number(p.ID) === dist.admin.threadId || p.DB === dist.database || p.COMMAND === 'Daemon' || p.USER === 'system user') continue;
    clients.set(Number(p.ID), { label: `${p.USER}@${p.HOST} db=${p.DB ?? '-'}`, busy: p.COMMAND !== 'Sleep', idle: Number(p.TIME) });
  }
  const [rows] = await dist.admin.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Connections') OR Variable_name LIKE 'Com\\_%'");
  const values = {};
  for (const r of rows) {
    const v = Number(r.Value);
    if (v) values[r.Variable_name] = v;
  }
  return { values, clients, relay };
};
/** Redis: calls per command (`INFO commandstats`), server-wide. */
const readRedisStats = async () => {
  const list = await dist.redis.client('LIST');
  const clients = new Map();
  const relay = new Set();
  for (const line of list.split('\n')) {
    const f = Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    if (!f.id || Number(f.id) === dist.redisClientId) continue;
    if (Number(f.db) === dist.redisDb) {
      relay.add(Number(f.id));
      continue;
    }
    clients.set(Number(f.id), { label: `${f.addr} name=${f.name || '-'} db=${f.db} cmd=${f.cmd}`, busy: false, idle: Number(f.idle) });
  }
  // One INFO with two sections (Redis >= 7): per-command calls and the connection counter.
  const text = await dist.redis.info('commandstats', 'stats');
  const values = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) values[m[1]] = Number(m[2]);
  values[CONNECTIONS] = Number(/^total_connections_received:(\d+)/m.exec(text)?.[1] ?? 0);
  return { values, clients, relay };
};
/** The connection counter's key among the Redis command counts (not a command). */
const CONNECTIONS = ' connections';
const commandsOnly = (o) => Object.entries(o).filter(([k]) => k !== CONNECTIONS);
const sum = (o) => commandsOnly(o).reduce((a, [, b]) => a + b, 0);

/** Creates the run's database, picks an empty Redis DB index and calibrates both counters. */
async function prepareDistributed() {
  const mysql = require(join(root, 'node_modules/mysql2/promise'));
  const Redis = require(join(root, 'node_modules/ioredis'));
  const ru = new URL(REDIS_SERVER);
  if (!['redis:'].includes(ru.protocol) || !LOOPBACK.has(ru.hostname)) throw new Error(`bench: BENCH_REDIS_URL must be redis://127.0.0.1:port (got ${REDIS_SERVER})`);
  try {
    dist.admin = await mysql.createConnection({ ...sqlConnectionOptions(), connectTimeout: 5000 });
  } catch (error) {
    throw new Error(`bench: MariaDB at ${SQL_SERVER} is not reachable (${error.message}); distributed mode needs it`);
  }
  dist.redis = new Redis(REDIS_SERVER, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
  try {
    await dist.redis.connect();
  } catch (error) {
    throw new Error(`bench: Redis at ${REDIS_SERVER} is not reachable (${error.message}); distributed mode needs it`);
  }
  // Redis: a DB index nobody uses (empty), so the relay's oneapi:* keys are the run's alone.
  const dbs = Number((await dist.redis.config('GET', 'databases'))[1] ?? 16);
  let index = null;
  if (REDIS_DB !== 'auto') {
    index = Number(REDIS_DB);
    await dist.redis.select(index);
    if ((await dist.redis.dbsize()) !== 0) throw new Error(`bench: Redis DB ${index} (BENCH_REDIS_DB) is not empty; pick an unused one`);
  } else {
    const first = 1 + Math.floor(Math.random() * (dbs - 1));
    for (let i = 0; i < dbs - 1 && index === null; i++) {
      const candidate = 1 + ((first - 1 + i) % (dbs - 1));
      await dist.redis.select(candidate);
      if ((await dist.redis.dbsize()) === 0) index = candidate;
    }
    if (index === null) throw new Error('bench: every Redis DB index 1-15 holds keys; set BENCH_REDIS_DB to one the run may use');
  }
  dist.redisDb = index;
  dist.redisCleaned = false;
  dist.redisClientId = Number(await dist.redis.client('ID'));
  // MariaDB: a fresh database for the run.
  dist.database = `oneapi_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await dist.admin.query(`CREATE DATABASE \`${dist.database}\` CHARACTER SET utf8mb4`);
  dist.sql = new Counters(readSqlStatus);
  dist.rds = new Counters(readRedisStats);
  await dist.sql.calibrate();
  await dist.rds.calibrate();
  // Server processes, for their CPU per request (they are shared and not pinned).
  const pidOf = (text) => (Number(text) > 0 && existsSync(`/proc/${Number(text)}/stat`) ? Number(text) : null);
  dist.redisPid = pidOf(/process_id:(\d+)/.exec(await dist.redis.info('server'))?.[1]);
  try {
    const [[row]] = await dist.admin.query('SELECT @@pid_file AS f, @@datadir AS d');
    const file = row.f.startsWith('/') ? row.f : join(row.d, row.f);
    dist.sqlPid = pidOf(readFileSync(file, 'utf8').trim());
  } catch {
    dist.sqlPid = null;
  }
  // Pinned runs keep the servers off the relay's core too (with the mock and wrk on CPU 1): a
  // MariaDB thread scheduled on CPU 0 would count against neither and slow the relay.
  if (PIN_SERVERS) for (const pid of [dist.sqlPid, dist.redisPid]) if (pid) pinServer(pid);
  const [[version]] = await dist.admin.query('SELECT VERSION() AS v');
  dist.versions = `MariaDB ${version.v}, Redis ${/redis_version:(\S+)/.exec(await dist.redis.info('server'))?.[1]}`;
}

/**
 * Whether the server-wide counts of a window include other clients' work. MariaDB: the relay's
 * pool closes connections above SQL_MAX_IDLE_CONNS every second and opens new ones under load, so
 * short-lived connections are not a sign of others there (reported as `sqlChurn`), statements the
 * relay never sends (DDL, USE) are. Redis: the relay keeps its two connections, so any other one is.
 */
function serverOthers(before, after, sql, redis, seconds) {
  const s = othersActive(before.sql, after.sql, seconds, sql.Connections ?? 0);
  const foreign = Object.entries(sql).filter(([k, v]) => FOREIGN_SQL.test(k) && v > 0);
  if (foreign.length) s.active.push(`statements the relay does not send: ${foreign.map(([k, v]) => `${k.slice(4)} ${v}`).join(', ')}`);
  const r = othersActive(before.redis, after.redis, seconds, redis[CONNECTIONS] ?? 0);
  if (r.unseen > 0) r.active.push(`${r.unseen} short-lived connection(s)`);
  return { sqlOthers: s.active, sqlChurn: s.unseen, redisOthers: r.active };
}

/** Server-side counters and server CPU, read before and after a measured window. */
async function serverSample() {
  if (!dist.sql) return null;
  const sql = await dist.sql.read();
  const redis = await dist.rds.read();
  return { at: Date.now(), sql, redis, sqlCpu: dist.sqlPid ? cpuMicros(dist.sqlPid) : null, redisCpu: dist.redisPid ? cpuMicros(dist.redisPid) : null };
}
function serverDelta(before, after, requests) {
  if (!before || !after) return null;
  const sql = dist.sql.delta(before.sql, after.sql);
  const redis = dist.rds.delta(before.redis, after.redis);
  const n = Math.max(1, requests);
  const seconds = Math.ceil((after.at - before.at) / 1000);
  return {
    sqlPerReq: (sql.Questions ?? 0) / n,
    sqlConnections: sql.Connections ?? 0,
    sqlKinds: Object.entries(sql)
      .filter(([k, v]) => k.startsWith('Com_') && v > 0)
      .map(([k, v]) => [k.slice(4), v / n])
      .sort((a, b) => b[1] - a[1]),
    redisPerReq: sum(redis) / n,
    redisKinds: commandsOnly(redis)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => [k, v / n])
      .sort((a, b) => b[1] - a[1]),
    sqlCpuPerReq: before.sqlCpu === null ? null : (after.sqlCpu - before.sqlCpu) / n,
    redisCpuPerReq: before.redisCpu === null ? null : (after.redisCpu - before.redisCpu) / n,
    // Other clients active meanwhile: the server-wide counts (and server CPU) include their work.
    ...serverOthers(before, after, sql, redis, seconds),
  };
}

// ---- seeding (the same rows on SQLite and MariaDB) --------------------------------------------

/**
 * One OpenAI channel pointed at the mock (gpt-4o-mini and the slow-stream model), and with
 * BENCH_TOKENS the client tokens (limited, with a quota no run spends) spread over BENCH_USERS
 * users, token i belonging to user i mod BENCH_USERS. `exec(sql, params)` returns the insert id.
 */
async function seed(exec, direct) {
  const now = Math.floor(Date.now() / 1000);
  const channelId = await exec(
    "INSERT INTO channels (type, `key`, status, name, weight, priority, created_time, base_url, models, `group`, model_mapping, config) VALUES (1, 'sk-mock', 1, 'mock', 0, 0, ?, ?, ?, 'default', '', '{}')",
    [now, UPSTREAM || direct, MODEL],
  );
  // PROBE_MODEL: ../shared/bench's pass-through probe streams it (20 ms between chunks).
  const models = [MODEL, SLOW_MODEL, PROBE_MODEL];
  for (const model of models) await exec("INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES ('default', ?, ?, 1, 0, 0)", [model, channelId]);
  await exec('UPDATE channels SET models = ? WHERE id = ?', [models.join(','), channelId]);
  if (CAPS) {
    await exec('UPDATE channels SET max_concurrency = 100000, rpm = 100000000, tpm = 2000000000 WHERE id = ?', [channelId]);
    for (const key of ['UserConcurrencyLimit', 'TokenConcurrencyLimit']) {
      await exec('DELETE FROM options WHERE `key` = ?', [key]);
      await exec('INSERT INTO options (`key`, value) VALUES (?, ?)', [key, '100000']);
    }
  }
  const users = [];
  for (let u = 0; u < USERS && TOKENS > 0; u++) {
    users.push(
      await exec("INSERT INTO users (username, password, display_name, role, status, quota, `group`) VALUES (?, 'bench-no-login', ?, 1, 1, ?, 'default')", [
        `bench${u}`,
        `Bench ${u}`,
        SEED_QUOTA,
      ]),
    );
  }
  for (let t = 0; t < TOKENS; t++) {
    await exec(
      "INSERT INTO tokens (user_id, `key`, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, models, subnet) VALUES (?, ?, 1, ?, ?, ?, -1, ?, 0, 0, '', '')",
      [users[t % USERS], KEYS[t].slice(3), `bench ${t}`, now, now, SEED_QUOTA],
    );
  }
}

async function seedSqlite(sqlite, direct) {
  const Database = require(join(root, 'node_modules/better-sqlite3'));
  const db = new Database(sqlite);
  db.pragma('busy_timeout = 5000');
  db.exec('BEGIN');
  await seed(async (sql, params) => Number(db.prepare(sql).run(...params).lastInsertRowid), direct);
  db.exec('COMMIT');
  db.close();
}

async function seedMariadb(direct) {
  const mysql = require(join(root, 'node_modules/mysql2/promise'));
  const c = await mysql.createConnection({ ...sqlConnectionOptions(), database: dist.database });
  try {
    await c.beginTransaction();
    await seed(async (sql, params) => (await c.query(sql, params))[0].insertId, direct);
    await c.commit();
  } finally {
    await c.end();
  }
}

// ---- the run ------------------------------------------------------------------------------------

const relayLabel = (deploy) => (DEPLOYS.length === 1 && deploy === 'embedded' ? 'relay' : `relay (${deploy})`);

/** Starts the relay of one deployment, seeds its database, waits until it relays. */
async function startDeployment(deploy, direct) {
  const relayPort = await freePort();
  const relayEnv = { ...process.env };
  // The deployment decides these, whatever the caller's shell has exported.
  for (const k of ['SQL_DSN', 'LOG_SQL_DSN', 'REDIS_CONN_STRING', 'SQLITE_PATH', 'SESSION_SECRET', 'NODE_TYPE', 'PORT', 'HOST']) delete relayEnv[k];
  Object.assign(relayEnv, {
    PORT: String(relayPort),
    HOST: '127.0.0.1',
    INITIAL_ROOT_TOKEN: KEY,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    BATCH_UPDATE_ENABLED: env('BATCH_UPDATE_ENABLED', 'true'),
  });
  const sqlite = join(work, 'one-api.db');
  if (deploy === 'embedded') {
    relayEnv.SQLITE_PATH = sqlite;
  } else {
    if (!dist.database) await prepareDistributed();
    Object.assign(relayEnv, {
      SQL_DSN: sqlDsnFor(dist.database),
      REDIS_CONN_STRING: `${REDIS_SERVER}/${dist.redisDb}`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      NODE_TYPE: 'master',
    });
  }
  const nodeArgs = env('BENCH_NODE_ARGS', '').split(/\s+/).filter(Boolean);
  const dep = { deploy, label: relayLabel(deploy), sqlite, relay: null, url: `http://127.0.0.1:${relayPort}` };
  const startRelay = () => (dep.relay = start(`relay (${deploy})`, process.execPath, [...nodeArgs, join(root, 'dist/apps/relay/src/main.js')], { env: relayEnv, cwd: work }, 0));
  startRelay();
  // The master migrates on boot and creates root with INITIAL_ROOT_TOKEN (SQLite and MariaDB alike).
  await waitFor(async () => (await httpCall(`${dep.url}/healthz`)).status === 200, `relay (${deploy})`, 90_000);
  if (deploy === 'embedded') await seedSqlite(sqlite, direct);
  else await seedMariadb(direct);
  const relayRoute = () =>
    waitFor(
      async () => {
        for (const key of new Set([KEY, KEYS[0], KEYS[KEYS.length - 1]])) {
          const r = await httpCall(`${dep.url}/v1/chat/completions`, { method: 'POST', body: JSON_BODY, headers: { authorization: `Bearer ${key}` } });
          if (r.status !== 200) return false;
        }
        return true;
      },
      `relay route (${deploy})`,
      60_000,
    );
  // BENCH_UPSTREAM's mock is started later by whoever measures (compare.sh).
  if (!UPSTREAM) await relayRoute();
  // Options are read at boot: restart so the caps seeded above are on.
  if (CAPS) {
    await stopChild(dep.relay);
    startRelay();
    if (!UPSTREAM) await relayRoute();
  }
  dep.restart = async () => {
    await stopChild(dep.relay);
    startRelay();
    await relayRoute();
  };
  dep.stop = () => stopChild(dep.relay, 30_000);
  return dep;
}

async function main() {
  need('wrk');
  need('nginx');
  if (env('BENCH_SKIP_BUILD', '0') !== '1' || !existsSync(join(root, 'dist/apps/relay/src/main.js'))) {
    console.log('bench: building the server (tsc → dist/) ...');
    execFileSync(process.execPath, [join(root, 'tools/scripts/build.mjs'), '--server-only'], { stdio: 'inherit', cwd: root });
  }
  const [mockPort, nginxPort] = [await freePort(), await freePort()];

  // 1. Mock upstream (CPU 1 with wrk when pinned).
  const mock = start('mock', process.execPath, [join(here, 'mock-upstream.mjs')], { env: { ...process.env, PORT: String(mockPort) } }, 1);
  const direct = `http://127.0.0.1:${mockPort}`;
  await waitFor(async () => (await httpCall(`${direct}/health`)).status === 200, 'mock upstream');

  // 2. nginx, one worker.
  const prefix = join(work, 'nginx');
  mkdirSync(prefix, { recursive: true });
  const conf = readFileSync('/work/shared/bench/nginx.conf.template', 'utf8')
    .replaceAll('@PREFIX@', prefix)
    .replaceAll('@LISTEN@', `127.0.0.1:${nginxPort}`)
    .replaceAll('@UPSTREAM@', `127.0.0.1:${mockPort}`);
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const nginx = start('nginx', 'nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {}, 0);
  const viaNginx = `http://127.0.0.1:${nginxPort}`;
  await waitFor(async () => (await httpCall(`${viaNginx}/health`)).status === 200, 'nginx');
  const nginxWorker = () => {
    const kids = execFileSync('pgrep', ['-P', String(nginx.pid)]).toString().trim().split('\n').map(Number).filter(Boolean);
    return kids.length ? kids : [nginx.pid];
  };
  // The run's stack: mock, nginx, the live relay, and in distributed mode MariaDB and Redis.
  const stackPids = () => [mock.pid, nginx.pid, ...nginxWorker(), ...children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => c.pid), dist.sqlPid, dist.redisPid].filter(Boolean);

  const rows = [];
  const probe = {};
  let memory = null;
  let flat = null;
  const relayTargets = TARGETS.filter((t) => t === 'relay');
  // 3. One deployment of the relay at a time (both pinned to CPU 0): embedded, then distributed.
  for (const [i, deploy] of DEPLOYS.entries()) {
    checkStop();
    const dep = await startDeployment(deploy, direct);
    if (env('BENCH_HOLD', '0') === '1') {
      // Keep the stack up for manual probing/profiling (Ctrl-C stops it and cleans up).
      const where = deploy === 'distributed' ? ` database ${dist.database}, Redis DB ${dist.redisDb}` : ` SQLite ${dep.sqlite}`;
      console.log(`bench: holding; direct ${direct} nginx ${viaNginx} relay ${dep.url} (${deploy}, pid ${dep.relay.pid},${where}) keys ${KEYS[0]}${KEYS.length > 1 ? ` … ${KEYS.length} tokens` : ''}`);
      await new Promise(() => undefined);
    }
    // direct and nginx do not depend on the deployment: measured with the first one only.
    const names = i === 0 ? TARGETS : relayTargets;
    const targets = {
      direct: { label: 'direct', url: direct, pids: () => [], keys: [KEY] },
      nginx: { label: 'nginx', url: viaNginx, pids: nginxWorker, keys: [KEY] },
      relay: { label: dep.label, url: dep.url, pids: () => [dep.relay.pid], keys: KEYS, deploy },
    };
    for (const mode of LOAD ? MODES : []) {
      const body = mode === 'json' ? JSON_BODY : STREAM_BODY;
      for (const name of names) {
        const t = targets[name];
        await wrk(t.url, body, 8, 2, t.keys); // warm-up (JIT, pools, token caches), discarded
        for (const c of CONCURRENCY) {
          checkStop();
          const pids = t.pids();
          // Everything of the run's own stack, to tell how much CPU the rest of the machine used.
          const stack = [...new Set([...stackPids(), ...pids])];
          const server0 = name === 'relay' ? await serverSample() : null;
          const m0 = machineMicros();
          const own0 = process.cpuUsage();
          const stack0 = stack.reduce((s, p) => s + cpuMicrosOrZero(p), 0);
          const cpu0 = pids.reduce((s, p) => s + cpuMicros(p), 0);
          const r = await wrk(t.url, body, c, DURATION, t.keys);
          const cpu1 = pids.reduce((s, p) => s + cpuMicros(p), 0);
          const stack1 = stack.reduce((s, p) => s + cpuMicrosOrZero(p), 0);
          const own1 = process.cpuUsage(own0);
          const m1 = machineMicros();
          const server1 = server0 ? await serverSample() : null;
          const capacity = (Number(m1.at - m0.at) / 1e3) * NCPU; // µs of CPU the machine had
          const other = m1.busy - m0.busy - (stack1 - stack0) - (own1.user + own1.system) - r.cpuMicros;
          const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
          if (errors > 0) console.error(`bench: ${t.label} ${mode} c=${c}: wrk errors ${JSON.stringify(r.errors)}`);
          rows.push({
            target: t.label,
            name,
            deploy: t.deploy ?? null,
            mode,
            c,
            rps: r.requests / (r.duration_us / 1e6),
            p50: r.lat_us.p50 / 1000,
            p99: r.lat_us.p99 / 1000,
            cpuPerReq: pids.length ? (cpu1 - cpu0) / Math.max(1, r.requests) : null,
            errors,
            server: serverDelta(server0, server1, r.requests),
            otherPct: (Math.max(0, other) / capacity) * 100,
            stealPct: ((m1.steal - m0.steal) / capacity) * 100,
          });
          process.stdout.write('.');
        }
      }
    }

    // Sequential probe (c=1, raw samples): JSON latency, TTFB/TTFT and end of a streamed reply.
    let k = 0;
    for (const name of LOAD ? names : []) {
      const t = targets[name];
      const json = [];
      const ttft = [];
      const end = [];
      for (let i = 0; i < PROBE_ROUNDS; i++) {
        checkStop();
        const headers = { authorization: `Bearer ${t.keys[k++ % t.keys.length]}` };
        const a = await httpCall(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON_BODY, headers });
        const b = await httpCall(`${t.url}/v1/chat/completions`, { method: 'POST', body: STREAM_BODY, headers });
        if (a.status !== 200 || b.status !== 200) throw new Error(`probe ${t.label}: status ${a.status}/${b.status}`);
        json.push(a.total);
        ttft.push(b.ttft);
        end.push(b.total);
      }
      probe[t.label] = { json: pct(json, 50), ttft: pct(ttft, 50), end: pct(end, 50), jsonP99: pct(json, 99) };
    }

    if (deploy === 'embedded') {
      memory = MEMORY ? await memoryPhase(dep.url, () => dep.relay.pid) : null;
      flat = FLAT ? await flatPhase(dep.url, dep.sqlite, direct, dep.restart, () => dep.relay.pid) : null;
    }
    await dep.stop();
  }
  process.stdout.write('\n');
  if ((MEMORY || FLAT) && !DEPLOYS.includes('embedded')) console.log('\n--memory and --flat run against the embedded relay only (BENCH_MODE=embedded or both): skipped');

  const base = (mode, c) => rows.find((r) => r.target === 'direct' && r.mode === mode && r.c === c);
  const withServer = DEPLOYS.includes('distributed');
  const f2 = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
  const f0 = (x) => (x === null || x === undefined ? '–' : String(Math.round(x)));
  if (LOAD) {
    const pin = PIN ? ', relay and nginx pinned to CPU 0, mock and wrk to CPU 1' : '';
    const servers = withServer ? `; MariaDB and Redis not pinned (${dist.versions})` : '';
    console.log(`\nLoad (wrk -t1, ${DURATION} s per step${pin}${servers}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
    if (TOKENS > 0) console.log(`relay clients: ${TOKENS} tokens over ${USERS} users, requests round robin over the tokens`);
    console.log('');
    console.log(`| target | mode | conc | req/s | vs direct | p50 ms | Δp50 ms | p99 ms | CPU µs/req | errors |${withServer ? ' SQL/req | Redis/req |' : ''} other CPU % | steal % |`);
    console.log(`|---|---|--:|--:|--:|--:|--:|--:|--:|--:|${withServer ? '--:|--:|' : ''}--:|--:|`);
    for (const r of rows) {
      const b = base(r.mode, r.c);
      const vs = b && r.target !== 'direct' ? `${Math.round((r.rps / b.rps) * 100)}%` : '–';
      const dp = b && r.target !== 'direct' ? `+${(r.p50 - b.p50).toFixed(2)}` : '–';
      const srv = withServer ? ` ${f2(r.server?.sqlPerReq)}${r.server?.sqlOthers.length ? '*' : ''} | ${f2(r.server?.redisPerReq)}${r.server?.redisOthers.length ? '*' : ''} |` : '';
      const machine = ` ${r.otherPct.toFixed(1)} | ${r.stealPct.toFixed(1)} |`;
      console.log(`| ${r.target} | ${r.mode} | ${r.c} | ${Math.round(r.rps)} | ${vs} | ${r.p50.toFixed(2)} | ${dp} | ${r.p99.toFixed(2)} | ${r.cpuPerReq === null ? '–' : Math.round(r.cpuPerReq)} | ${r.errors} |${srv}${machine}`);
    }
    console.log(`\nConcurrency 1, ${PROBE_ROUNDS} sequential rounds, p50 of raw samples (ms)\n`);
    console.log('| target | JSON | ΔJSON | TTFT (stream) | ΔTTFT | stream end | JSON p99 |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const [name, p] of Object.entries(probe)) {
      const d = probe.direct;
      const delta = (x, y) => (name === 'direct' || !d ? '–' : `+${(x - y).toFixed(3)}`);
      console.log(`| ${name} | ${p.json.toFixed(3)} | ${delta(p.json, d?.json)} | ${p.ttft.toFixed(3)} | ${delta(p.ttft, d?.ttft)} | ${p.end.toFixed(3)} | ${p.jsonP99.toFixed(3)} |`);
    }
    if (withServer) printDeployments(rows, probe, f0, f2);
  }
  if (memory) {
    console.log(`\nMemory: ${memory.opened} of ${IDLE_STREAMS} streams open and idle (first chunk received, upstream silent)\n`);
    console.log('| relay RSS before | with the streams open (max of samples) | added | added per stream | after closing them |');
    console.log('|--:|--:|--:|--:|--:|');
    const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
    console.log(`| ${mib(memory.before)} | ${mib(memory.during)} | ${mib(memory.during - memory.before)} | ${((memory.during - memory.before) / Math.max(1, memory.opened) / 1024).toFixed(1)} KiB | ${mib(memory.after)} |`);
  }
  if (flat) {
    console.log(`\nFlatness: relay JSON at c=32, ${DURATION} s, fresh relay process after seeding tokens and channels (+ one ability each)\n`);
    console.log('| tokens / channels in the database | req/s | CPU µs/req | p50 ms | relay RSS |');
    console.log('|--:|--:|--:|--:|--:|');
    for (const r of flat) console.log(`| ${r.rows} | ${Math.round(r.rps)} | ${Math.round(r.cpuPerReq)} | ${r.p50.toFixed(2)} | ${(r.rss / 1048576).toFixed(1)} MiB |`);
    console.log(`\nthroughput ${flat[1].rows} vs ${flat[0].rows}: ${((flat[1].rps / flat[0].rps - 1) * 100).toFixed(1)} %`);
  }
  const stats = await httpCall(`${direct}/__stats`);
  console.log(`\nmock upstream served: ${stats.text}`);
  if (dist.database) console.log(`distributed: database ${dist.database} and the keys of Redis DB ${dist.redisDb} are removed at exit`);
}

/** Embedded vs distributed, side by side per (mode, concurrency), with distributed/embedded. */
function printDeployments(rows, probe, f0, f2) {
  const both = DEPLOYS.length === 2;
  const ratio = (a, b) => (both && a !== null && b !== null && a !== undefined && b !== undefined && a > 0 ? `${(b / a).toFixed(2)}×` : '–');
  const own = `${dist.sql.own.Questions ?? 0} statements and ${sum(dist.rds.own)} Redis commands per read`;
  console.log(`\nRelay per deployment${both ? ' (ratio = distributed / embedded)' : ''}; SQL and Redis counted on the servers over the measured window, server-wide, the bench's own status reads removed (${own})\n`);
  for (const mode of MODES) {
    for (const c of new Set(CONCURRENCY)) {
      const byDeploy = Object.fromEntries(DEPLOYS.map((d) => [d, rows.find((r) => r.deploy === d && r.mode === mode && r.c === c)]));
      if (!Object.values(byDeploy).some(Boolean)) continue;
      const e = byDeploy.embedded;
      const d = byDeploy.distributed;
      console.log(`| ${mode}, c=${c} | ${DEPLOYS.join(' | ')} |${both ? ' distributed / embedded |' : ''}`);
      console.log(`|---|${DEPLOYS.map(() => '--:').join('|')}|${both ? '--:|' : ''}`);
      const line = (label, get, fmt, withRatio = true) => {
        const cells = DEPLOYS.map((x) => fmt(byDeploy[x] ? get(byDeploy[x]) : null, byDeploy[x]));
        const r = withRatio ? ratio(e ? get(e) : null, d ? get(d) : null) : '–';
        console.log(`| ${label} | ${cells.join(' | ')} |${both ? ` ${r} |` : ''}`);
      };
      line('relay CPU µs/req', (r) => r.cpuPerReq, f0);
      line('req/s', (r) => r.rps, f0);
      line('p50 ms', (r) => r.p50, f2);
      line('p99 ms', (r) => r.p99, f2);
      // `*`: other clients were active on that server during the window (see the footnote).
      const mark = (text, others) => `${text}${others?.length ? '*' : ''}`;
      line('SQL statements/req', (r) => r.server?.sqlPerReq ?? null, (x, r) => mark(f2(x), r?.server?.sqlOthers));
      line('Redis commands/req', (r) => r.server?.redisPerReq ?? null, (x, r) => mark(f2(x), r?.server?.redisOthers));
      line('MariaDB CPU µs/req', (r) => r.server?.sqlCpuPerReq ?? null, (x, r) => mark(f0(x), r?.server?.sqlOthers));
      line('Redis CPU µs/req', (r) => r.server?.redisCpuPerReq ?? null, (x, r) => mark(f0(x), r?.server?.redisOthers));
      line('errors', (r) => r.errors, (x) => (x === null ? '–' : String(x)));
      line('other CPU, % of the machine', (r) => r.otherPct, (x) => (x === null ? '–' : x.toFixed(1)), false);
      line('steal, % of the machine', (r) => r.stealPct, (x) => (x === null ? '–' : x.toFixed(1)), false);
      if (d?.server) {
        const kinds = (list) => (list.length ? list.map(([k, v]) => `${k} ${v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}`).join(', ') : 'none');
        console.log(`\nper request, distributed ${mode} c=${c}: SQL by kind (Com_*): ${kinds(d.server.sqlKinds)}; Redis by command: ${kinds(d.server.redisKinds)}`);
        console.log(`MariaDB connections opened during the window: ${d.server.sqlConnections} (${d.server.sqlChurn} of them closed again before its end)`);
        const others = [...d.server.sqlOthers.map((x) => `MariaDB ${x}`), ...d.server.redisOthers.map((x) => `Redis ${x}`)];
        if (others.length) {
          console.log(`* other clients were active on the servers during this window, so the server-wide counts and server CPU include their work (rerun when the servers are quiet): ${others.slice(0, 6).join('; ')}${others.length > 6 ? ` … ${others.length} in all` : ''}`);
        }
        console.log('');
      } else console.log('');
    }
  }
  const labels = DEPLOYS.map(relayLabel).filter((l) => probe[l]);
  if (labels.length) {
    console.log(`| c=1 probe, p50 ms | ${DEPLOYS.join(' | ')} |${both ? ' distributed / embedded |' : ''}`);
    console.log(`|---|${DEPLOYS.map(() => '--:').join('|')}|${both ? '--:|' : ''}`);
    for (const [label, key] of [
      ['JSON', 'json'],
      ['TTFT (stream)', 'ttft'],
      ['stream end', 'end'],
    ]) {
      const vals = DEPLOYS.map((x) => probe[relayLabel(x)]?.[key] ?? null);
      console.log(`| ${label} | ${vals.map((v) => (v === null ? '–' : v.toFixed(3))).join(' | ')} |${both ? ` ${ratio(vals[0], vals[1])} |` : ''}`);
    }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

/** Opens IDLE_STREAMS streaming requests whose upstream goes silent after one chunk; samples the relay's RSS. */
async function memoryPhase(viaRelay, pidOf) {
  await sleep(1000);
  const pid = pidOf();
  const before = rssOf(pid);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const body = JSON.stringify({ ...JSON.parse(STREAM_BODY), model: SLOW_MODEL });
  const reqs = [];
  let opened = 0;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 60_000);
    for (let i = 0; i < IDLE_STREAMS; i++) {
      const r = request(`${viaRelay}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } }, (res) => {
        res.once('data', () => {
          if (++opened === IDLE_STREAMS) {
            clearTimeout(timer);
            resolve();
          }
        });
        res.on('error', () => undefined);
      });
      r.on('error', () => undefined);
      r.end(body);
      reqs.push(r);
    }
  });
  let during = 0;
  for (let i = 0; i < 6; i++) {
    await sleep(500);
    during = Math.max(during, rssOf(pid));
  }
  for (const r of reqs) r.destroy();
  agent.destroy();
  await sleep(3000);
  return { before, during, after: rssOf(pid), opened };
}

/** Throughput with ~10 and with FLAT_ROWS tokens and channels in the database (fresh relay each time). */
async function flatPhase(viaRelay, sqlite, direct, restartRelay, pidOf) {
  const Database = require(join(root, 'node_modules/better-sqlite3'));
  const out = [];
  let have = 1;
  for (const target of [10, FLAT_ROWS]) {
    const db = new Database(sqlite);
    db.pragma('busy_timeout = 5000');
    const now = Math.floor(Date.now() / 1000);
    const tok = db.prepare(
      "INSERT INTO tokens (user_id, `key`, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, models, subnet) VALUES (1, ?, 1, ?, ?, ?, -1, 1000000, 0, 0, '', '')",
    );
    const chan = db.prepare(
      "INSERT INTO channels (type, `key`, status, name, weight, priority, created_time, base_url, models, `group`, model_mapping, config) VALUES (1, 'sk-seed', 1, ?, 0, 0, ?, ?, ?, 'default', '', '{}')",
    );
    const abil = db.prepare("INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES ('default', ?, ?, 1, 0, 0)");
    db.transaction(() => {
      for (let i = have; i < target; i++) {
        tok.run(`seed${String(i).padStart(44, '0')}`, `seed ${i}`, now, now);
        const model = `seed-model-${i % 1000}`;
        abil.run(model, chan.run(`seed ${i}`, now, direct, model).lastInsertRowid);
      }
    })();
    db.close();
    have = target;
    await restartRelay();
    await wrk(viaRelay, JSON_BODY, 8, 2);
    const pid = pidOf();
    const cpu0 = cpuMicros(pid);
    const r = await wrk(viaRelay, JSON_BODY, 32, DURATION);
    const cpu1 = cpuMicros(pid);
    out.push({ rows: target, rps: r.requests / (r.duration_us / 1e6), p50: r.lat_us.p50 / 1000, cpuPerReq: (cpu1 - cpu0) / Math.max(1, r.requests), rss: rssOf(pid) });
  }
  return out;
}

main()
  .then(() => teardown())
  .then(() => process.exit(stopCode ?? 0))
  .catch(async (error) => {
    if (stopCode === null) console.error(error);
    await teardown();
    process.exit(stopCode ?? 1);
  });
