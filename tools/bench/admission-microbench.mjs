#!/usr/bin/env node
// Admission micro-benchmark (issue 12): the relay's CPU and the Redis commands per request for
// the capacity caps alone, every cap on and never refusing (user + token concurrency, channel
// max concurrency, RPM and TPM), driven in-process against a real Redis the way the pipeline
// drives them: the first channel's seat with the caller's slots, then the end of the request
// (seat and slots given back, TPM corrected). No HTTP, no database: admission only.
//
//   node tools/bench/admission-microbench.mjs
//
// Environment: ADMBENCH_REQUESTS (per round, 20000), ADMBENCH_ROUNDS (5), ADMBENCH_CONCURRENCY
// (requests in flight, 16), ADMBENCH_REDIS_URL (default: a private redis-server started on a free
// port, so `INFO commandstats` counts this bench alone), ADMBENCH_ROOT (a checkout to measure,
// default this one: point it at an older commit's worktree to compare; both the merged capacity
// store and the earlier separate lease/window stores are driven). The table shows the median
// round. TypeScript is loaded through @swc/core (as Jest does). Not a test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typeScriptSources } from './ts-source.mjs';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const root = resolve(process.env.ADMBENCH_ROOT ?? here);
const env = (k, d) => Number(process.env[k] ?? d);
const REQUESTS = env('ADMBENCH_REQUESTS', 20000);
const ROUNDS = env('ADMBENCH_ROUNDS', 5);
const CONCURRENCY = env('ADMBENCH_CONCURRENCY', 16);

const { require } = typeScriptSources(root);

const { createRedis, redisReady } = require(join(root, 'libs/cache/src/index.ts'));
const { relayRedisGate } = require(join(root, 'apps/relay/src/rate-limit/relay-rate-limiter.ts'));
const { ChannelCapacity } = require(join(root, 'apps/relay/src/capacity/channel-capacity.ts'));
const merged = existsSync(join(root, 'apps/relay/src/capacity/capacity-store.ts'));

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

let server = null;
let url = process.env.ADMBENCH_REDIS_URL;
if (!url) {
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  url = `redis://127.0.0.1:${port}`;
}
const redis = createRedis(url, { name: 'admission-microbench' });
for (let i = 0; ; i++) {
  try {
    await redisReady(redis, 1000);
    break;
  } catch (error) {
    if (i > 20) throw error;
  }
}
const gate = relayRedisGate(redis);
let fallbacks = 0;
const onFallback = (error) => {
  if (fallbacks++ === 0) console.error(`first fallback: ${error?.message}`);
};

// The limits tools/bench/bench.mjs sets with BENCH_CAPS=1: on, too high to refuse.
const channel = { id: 1, maxConcurrency: 100_000, rpm: 100_000_000, tpm: 2_000_000_000 };
const prefix = `admbench-${process.pid}`;
const wants = [
  { key: `${prefix}:user:1`, limit: 100_000 },
  { key: `${prefix}:token:1`, limit: 100_000 },
];

/** One request's admission caps, as the pipeline takes and gives them in this checkout. */
let once;
let close;
if (merged) {
  const cap = new ChannelCapacity(redis, onFallback, gate);
  cap.keyPrefix = `${prefix}:channel`;
  once = async (id) => {
    const hold = await cap.take(id, channel, 120, wants);
    if (typeof hold === 'number' || !hold.leaseId) throw new Error('refused');
    cap.end(hold, 100, hold.callers);
  };
  close = () => cap.close();
} else {
  // The separate stores: channel lease and GCRA take in parallel, then the caller's leases.
  const { FallbackLeaseStore, RedisLeaseStore } = require(join(root, 'libs/cache/src/index.ts'));
  const { LEASE_TTL_MS } = require(join(root, 'apps/relay/src/pipeline/admission.ts'));
  const remote = new RedisLeaseStore(redis, LEASE_TTL_MS);
  const leases = new FallbackLeaseStore({ acquire: (id, w) => gate.run(() => remote.acquire(id, w)), release: (id, k) => remote.release(id, k), renew: (id, k) => remote.renew(id, k) }, onFallback);
  const cap = new ChannelCapacity(leases, redis, onFallback, gate);
  cap.keyPrefix = `${prefix}:channel`;
  const keys = wants.map((w) => w.key);
  once = async (id) => {
    const hold = await cap.take(id, channel, 120);
    if (typeof hold === 'number') throw new Error('refused');
    if ((await leases.acquire(id, wants)) !== -1) throw new Error('full');
    cap.end(hold, 100);
    void leases.release(id, keys);
  };
  close = () => cap.close();
}

const readStats = async () => {
  const text = await redis.info('commandstats');
  const calls = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
};

let seq = 0;
async function round(n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await once(`r${++seq}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // Gives (fire-and-forget) are still on the connection: a PING after them waits for them.
  await redis.ping();
}

await round(2000);
const rows = [];
for (let r = 0; r < ROUNDS; r++) {
  const fell = fallbacks;
  const before = await readStats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await round(REQUESTS);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = await readStats();
  const delta = {};
  for (const [k, v] of Object.entries(after)) if (k !== 'info' && k !== 'ping') delta[k] = (v - (before[k] ?? 0)) / REQUESTS;
  const scripts = (delta.evalsha ?? 0) + (delta.eval ?? 0);
  const total = Object.values(delta).reduce((a, b) => a + b, 0);
  // A round where the gate gave up on Redis (a stall over its budget) counted partly in memory.
  rows.push({ clean: fallbacks === fell, cpuUs: ((cpu.user + cpu.system) / REQUESTS), wallUs: (wall * 1000) / REQUESTS, scripts, total, delta });
}
const clean = rows.filter((r) => r.clean);
const pick = (clean.length ? clean : rows).sort((a, b) => a.cpuUs - b.cpuUs);
const m = pick[Math.floor(pick.length / 2)];
const detail = Object.entries(m.delta)
  .filter(([, v]) => v > 0)
  .map(([k, v]) => `${k} ${v.toFixed(2)}`)
  .join(', ');
console.log(`admission caps (${merged ? 'merged capacity store' : 'separate lease and window stores'}), every cap on, ${CONCURRENCY} in flight, median of ${clean.length || rows.length} of ${ROUNDS} rounds × ${REQUESTS}${clean.length ? ' (rounds with a fallback to per-process counts left out)' : ' (every round fell back at times: counts are partly in memory)'}:`);
console.log(`  relay CPU ${m.cpuUs.toFixed(2)} µs per request (wall ${m.wallUs.toFixed(2)} µs), Redis ${m.scripts.toFixed(2)} script calls and ${m.total.toFixed(2)} commands per request (${detail})`);
close();
const keys = await redis.keys(`oneapi:*${prefix}*`);
if (keys.length) await redis.del(...keys);
await redis.quit();
server?.kill();
