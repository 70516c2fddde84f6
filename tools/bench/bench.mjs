#!/usr/bin/env node
// `npm run bench`: the relay's latency/throughput/CPU benchmark in one command.
//
// Starts, all on 127.0.0.1: the fast mock upstream (mock-upstream.mjs, copied from
// ../shared/bench), nginx (1 worker, keep-alive upstream pool, proxy_buffering off) as the floor
// of one proxy hop, and the relay (dist build, SQLite in a temp dir, one OpenAI channel pointed at
// the mock, the initial root token as client key). Then drives wrk at each concurrency against
// direct / nginx / relay for JSON and streaming requests, runs a sequential c=1 probe (JSON
// latency, time to first streamed token, end of stream) and prints one table.
//
// Flags: --memory (RSS with BENCH_IDLE_STREAMS=1000 open idle streams), --flat (throughput with
// 10 vs BENCH_FLAT_ROWS=100000 tokens and channels), --all (both), --no-load (skip the wrk
// tables and the c=1 probe). e.g. `npm run bench -- --all`.
//
// Environment: BENCH_DURATION (s per step, 5), BENCH_CONCURRENCY ("1 32 128"), BENCH_MODES
// ("json stream"), BENCH_TARGETS ("direct nginx relay"), BENCH_SKIP_BUILD=1 (use dist/ as is),
// BENCH_PROBE_ROUNDS (300), BENCH_NODE_ARGS (extra node flags for the relay, e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof"), BENCH_HOLD=1 (start the stack and wait, for manual probing), BENCH_PIN=1 (relay on CPU 0, mock + wrk on CPU 1 via taskset).
// Needs `wrk` and `nginx` (Debian: apt-get install -y wrk nginx-light). Not a test.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
const FLAGS = new Set(process.argv.slice(2));
const LOAD = !FLAGS.has('--no-load');
const MEMORY = FLAGS.has('--memory') || FLAGS.has('--all');
const FLAT = FLAGS.has('--flat') || FLAGS.has('--all');
const IDLE_STREAMS = Number(env('BENCH_IDLE_STREAMS', 1000));
const FLAT_ROWS = Number(env('BENCH_FLAT_ROWS', 100000));
const KEY = 'sk-benchbenchbenchbenchbenchbenchbenchbenchbenchbe';
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
const STREAM_BODY = JSON.stringify({ ...JSON.parse(JSON_BODY), stream: true, stream_options: { include_usage: true } });

const children = [];
const work = mkdtempSync(join(tmpdir(), 'oneapi-bench-'));
function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

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
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  child.on('exit', (code) => {
    if (code && code !== 0 && code !== 143) console.error(`bench: ${name} exited with ${code}\n${log.slice(-2000)}`);
  });
  children.push(child);
  return child;
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

function wrk(url, body, concurrency, duration) {
  const args = ['-t1', `-c${concurrency}`, `-d${duration}s`, '--timeout', '10s', '-s', join(here, 'wrk-chat.lua'), url];
  const cmd = PIN ? ['taskset', ['-c', '1', 'wrk', ...args]] : ['wrk', args];
  const out = spawnSync(cmd[0], cmd[1], {
    env: { ...process.env, BENCH_PATH: '/v1/chat/completions', BENCH_BODY: body, BENCH_KEY: KEY },
    encoding: 'utf8',
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk failed: ${out.stdout}${out.stderr}`);
  return JSON.parse(line.slice('WRK_JSON '.length));
}

const pct = (arr, p) => {
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  need('wrk');
  need('nginx');
  if (env('BENCH_SKIP_BUILD', '0') !== '1' || !existsSync(join(root, 'dist/apps/relay/src/main.js'))) {
    console.log('bench: building the server (tsc → dist/) ...');
    execFileSync(process.execPath, [join(root, 'tools/scripts/build.mjs'), '--server-only'], { stdio: 'inherit', cwd: root });
  }
  const [mockPort, nginxPort, relayPort] = [await freePort(), await freePort(), await freePort()];

  // 1. Mock upstream (CPU 1 with wrk when pinned).
  start('mock', process.execPath, [join(here, 'mock-upstream.mjs')], { env: { ...process.env, PORT: String(mockPort) } }, 1);
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

  // 3. The relay on SQLite: root token from INITIAL_ROOT_TOKEN, one channel seeded after migration.
  const sqlite = join(work, 'one-api.db');
  const relayEnv = {
    ...process.env,
    SQLITE_PATH: sqlite,
    PORT: String(relayPort),
    HOST: '127.0.0.1',
    INITIAL_ROOT_TOKEN: KEY,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    BATCH_UPDATE_ENABLED: env('BATCH_UPDATE_ENABLED', 'true'),
  };
  const nodeArgs = env('BENCH_NODE_ARGS', '').split(/\s+/).filter(Boolean);
  const startRelay = () => start('relay', process.execPath, [...nodeArgs, join(root, 'dist/apps/relay/src/main.js')], { env: relayEnv, cwd: work }, 0);
  let relay = startRelay();
  const viaRelay = `http://127.0.0.1:${relayPort}`;
  await waitFor(async () => (await httpCall(`${viaRelay}/healthz`)).status === 200, 'relay');
  const relayRoute = () =>
    waitFor(async () => (await httpCall(`${viaRelay}/v1/chat/completions`, { method: 'POST', body: JSON_BODY, headers: { authorization: `Bearer ${KEY}` } })).status === 200, 'relay route', 60_000);
  const restartRelay = async () => {
    const old = relay;
    const exited = new Promise((r) => old.once('exit', r));
    old.kill('SIGTERM');
    await exited;
    relay = startRelay();
    await relayRoute();
  };
  const Database = require(join(root, 'node_modules/better-sqlite3'));
  const db = new Database(sqlite);
  db.pragma('busy_timeout = 5000');
  const now = Math.floor(Date.now() / 1000);
  const ch = db
    .prepare("INSERT INTO channels (type, `key`, status, name, weight, priority, created_time, base_url, models, `group`, model_mapping, config) VALUES (1, 'sk-mock', 1, 'mock', 0, 0, ?, ?, ?, 'default', '', '{}')")
    .run(now, direct, MODEL);
  db.prepare("INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES ('default', ?, ?, 1, 0, 0)").run(MODEL, ch.lastInsertRowid);
  db.prepare("INSERT INTO abilities (`group`, model, channel_id, enabled, priority, weight) VALUES ('default', ?, ?, 1, 0, 0)").run(SLOW_MODEL, ch.lastInsertRowid);
  db.prepare('UPDATE channels SET models = ? WHERE id = ?').run(`${MODEL},${SLOW_MODEL}`, ch.lastInsertRowid);
  db.close();
  await relayRoute();

  if (env('BENCH_HOLD', '0') === '1') {
    // Keep the stack up for manual probing/profiling (Ctrl-C stops it).
    console.log(`bench: holding; direct ${direct} nginx ${viaNginx} relay ${viaRelay} (relay pid ${relay.pid}) key ${KEY}`);
    await new Promise(() => undefined);
  }
  const targets = { direct: { url: direct, pids: () => [] }, nginx: { url: viaNginx, pids: nginxWorker }, relay: { url: viaRelay, pids: () => [relay.pid] } };
  const rows = [];
  for (const mode of LOAD ? MODES : []) {
    const body = mode === 'json' ? JSON_BODY : STREAM_BODY;
    for (const name of TARGETS) {
      const t = targets[name];
      wrk(t.url, body, 8, 2); // warm-up (JIT, pools), discarded
      for (const c of CONCURRENCY) {
        const pids = t.pids();
        const cpu0 = pids.reduce((s, p) => s + cpuMicros(p), 0);
        const r = wrk(t.url, body, c, DURATION);
        const cpu1 = pids.reduce((s, p) => s + cpuMicros(p), 0);
        const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
        rows.push({
          target: name,
          mode,
          c,
          rps: r.requests / (r.duration_us / 1e6),
          p50: r.lat_us.p50 / 1000,
          p99: r.lat_us.p99 / 1000,
          cpuPerReq: pids.length ? (cpu1 - cpu0) / Math.max(1, r.requests) : null,
          errors,
        });
        process.stdout.write('.');
      }
    }
  }
  process.stdout.write('\n');

  // Sequential probe (c=1, raw samples): JSON latency, TTFB/TTFT and end of a streamed reply.
  const probe = {};
  for (const name of LOAD ? TARGETS : []) {
    const t = targets[name];
    const json = [];
    const ttft = [];
    const end = [];
    for (let i = 0; i < PROBE_ROUNDS; i++) {
      const headers = { authorization: `Bearer ${KEY}` };
      const a = await httpCall(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON_BODY, headers });
      const b = await httpCall(`${t.url}/v1/chat/completions`, { method: 'POST', body: STREAM_BODY, headers });
      if (a.status !== 200 || b.status !== 200) throw new Error(`probe ${name}: status ${a.status}/${b.status}`);
      json.push(a.total);
      ttft.push(b.ttft);
      end.push(b.total);
    }
    probe[name] = { json: pct(json, 50), ttft: pct(ttft, 50), end: pct(end, 50), jsonP99: pct(json, 99) };
  }

  const memory = MEMORY ? await memoryPhase(viaRelay, () => relay.pid) : null;
  const flat = FLAT ? await flatPhase(viaRelay, sqlite, direct, restartRelay, () => relay.pid) : null;

  const base = (mode, c) => rows.find((r) => r.target === 'direct' && r.mode === mode && r.c === c);
  if (LOAD) {
    console.log(`\nLoad (wrk -t1, ${DURATION} s per step${PIN ? ', relay and nginx pinned to CPU 0, mock and wrk to CPU 1' : ''}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);
    console.log('| target | mode | conc | req/s | vs direct | p50 ms | Δp50 ms | p99 ms | CPU µs/req | errors |');
    console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) {
      const b = base(r.mode, r.c);
      const vs = b && r.target !== 'direct' ? `${Math.round((r.rps / b.rps) * 100)}%` : '–';
      const dp = b && r.target !== 'direct' ? `+${(r.p50 - b.p50).toFixed(2)}` : '–';
      console.log(
        `| ${r.target} | ${r.mode} | ${r.c} | ${Math.round(r.rps)} | ${vs} | ${r.p50.toFixed(2)} | ${dp} | ${r.p99.toFixed(2)} | ${r.cpuPerReq === null ? '–' : Math.round(r.cpuPerReq)} | ${r.errors} |`,
      );
    }
    console.log(`\nConcurrency 1, ${PROBE_ROUNDS} sequential rounds, p50 of raw samples (ms)\n`);
    console.log('| target | JSON | ΔJSON | TTFT (stream) | ΔTTFT | stream end | JSON p99 |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const name of TARGETS) {
      const p = probe[name];
      const d = probe.direct;
      const delta = (x, y) => (name === 'direct' || !d ? '–' : `+${(x - y).toFixed(3)}`);
      console.log(`| ${name} | ${p.json.toFixed(3)} | ${delta(p.json, d?.json)} | ${p.ttft.toFixed(3)} | ${delta(p.ttft, d?.ttft)} | ${p.end.toFixed(3)} | ${p.jsonP99.toFixed(3)} |`);
    }
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
    wrk(viaRelay, JSON_BODY, 8, 2);
    const pid = pidOf();
    const cpu0 = cpuMicros(pid);
    const r = wrk(viaRelay, JSON_BODY, 32, DURATION);
    const cpu1 = cpuMicros(pid);
    out.push({ rows: target, rps: r.requests / (r.duration_us / 1e6), p50: r.lat_us.p50 / 1000, cpuPerReq: (cpu1 - cpu0) / Math.max(1, r.requests), rss: rssOf(pid) });
  }
  return out;
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
