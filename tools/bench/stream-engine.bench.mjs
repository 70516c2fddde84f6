#!/usr/bin/env node
// Stream engine micro-benchmark: server CPU per 20-chunk stream for today's relayOpenAIStream
// (apps/relay/src/proxy/sse-relay.ts) and the new runStream (apps/relay/src/stream), plus a floor
// that writes the same chunks straight to the response. One process serves on 127.0.0.1; a
// child process is the client (keep-alive, STREAM_BENCH_CONCURRENCY requests in flight), so
// only the server's CPU is counted. A fake upstream body delivers one typical chunk per event
// loop turn (18 content chunks, the finish chunk, the usage-only chunk the relay asked for,
// then [DONE]). Variants alternate over rounds; the table shows the median µs per stream.
//
//   node tools/bench/stream-engine.bench.mjs            (env: STREAM_BENCH_STREAMS per round,
//   STREAM_BENCH_ROUNDS, STREAM_BENCH_CONCURRENCY)
//
// TypeScript is loaded through @swc/core (as Jest does); the baseline is sse-relay.ts as of
// BASELINE_COMMIT, read with `git show`, so it stays comparable once the file is gone. Not a test.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typeScriptSources } from './ts-source.mjs';

/** The last commit before the stream engine: the relay's stream path of the first wave. */
const BASELINE_COMMIT = 'eaa99c8';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = (k, d) => Number(process.env[k] ?? d);
const STREAMS = env('STREAM_BENCH_STREAMS', 4000);
const ROUNDS = env('STREAM_BENCH_ROUNDS', 7);
const CONCURRENCY = env('STREAM_BENCH_CONCURRENCY', 16);

const { require, loadAs } = typeScriptSources(root);
// Compiled in memory under its old path, so its imports resolve as they did.
const baselinePath = resolve(root, 'apps/relay/src/proxy/sse-relay.ts');
const baseline = { exports: loadAs(execFileSync('git', ['show', `${BASELINE_COMMIT}:apps/relay/src/proxy/sse-relay.ts`], { cwd: root, encoding: 'utf8' }), baselinePath) };
const { relayOpenAIStream } = baseline.exports;
const { runStream, StreamFormats } = require(resolve(root, 'apps/relay/src/stream/index.ts'));

// ---- the upstream body: 20 typical chunks, one per event loop turn
const base = { id: 'chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012', object: 'chat.completion.chunk', created: 1735000000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0aa8d3e20b' };
const words = ['Hello', ' there', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?', ' I', ' am', ' happy', ' to', ' answer', ' any', ' question', '.'];
const chunks = [
  ...words.map((w, i) => ({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: w, refusal: null } : { content: w }, logprobs: null, finish_reason: null }], usage: null })),
  { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
  { ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 18, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 } } },
].map((c, i, all) => Buffer.from(`data: ${JSON.stringify(c)}\n\n${i === all.length - 1 ? 'data: [DONE]\n\n' : ''}`));

class FakeBody {
  stream(sink) {
    let i = 0;
    const next = () => {
      if (this.aborted) return;
      if (i === chunks.length) return sink.end();
      // Fresh memory per chunk, as a socket read gives.
      const c = Buffer.from(chunks[i++]);
      if (sink.data(c)) setImmediate(next);
      else this.paused = next;
    };
    setImmediate(next);
  }
  resume() {
    const p = this.paused;
    this.paused = undefined;
    if (p) setImmediate(p);
  }
  abort() {
    this.aborted = true;
  }
}

const HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
const variants = {
  floor: (res) => {
    const body = new FakeBody();
    body.stream({ data: (c) => res.write(c), end: () => res.end(), error: () => res.destroy() });
  },
  old: async (res) => {
    try {
      await relayOpenAIStream(new FakeBody(), res, { dropUsageChunk: true });
    } finally {
      if (!res.writableEnded) res.end();
    }
  },
  new: async (res) => {
    await runStream({ source: new FakeBody(), res, format: StreamFormats.openAI({ dropUsageOnlyChunk: true }), idleMs: 30_000, deadline: performance.now() + 600_000, maxLineBytes: 8 << 20 });
  },
};

const server = createServer((req, res) => {
  res.writeHead(200, HEAD);
  void variants[req.url.slice(1)](res);
});
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const CLIENT = `
const http = require('node:http');
const [port, path, total, conc] = process.argv.slice(1).map((v, i) => (i === 1 ? v : Number(v)));
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
let started = 0, done = 0, bytes = 0;
const one = () => {
  if (started === total) return;
  started++;
  http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
    res.on('data', (d) => (bytes += d.length));
    res.on('end', () => (++done === total ? (process.stdout.write(String(bytes / total)), process.exit(0)) : one()));
  });
};
for (let i = 0; i < conc; i++) one();
`;

function drive(path, total) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, String(port), path, String(total), String(CONCURRENCY)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolveRun(Number(out)) : reject(new Error(`client exited ${code}`))));
  });
}

async function measure(name) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const bytesPer = await drive(`/${name}`, STREAMS);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / STREAMS, wall: ((performance.now() - t0) * 1000) / STREAMS, bytesPer };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = Object.keys(variants);
for (const n of names) await measure(n); // warm-up
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) for (const n of r % 2 ? [...names].reverse() : names) samples[n].push(await measure(n));

console.log(`node ${process.version}, ${STREAMS} streams x ${ROUNDS} rounds, concurrency ${CONCURRENCY}, 20 chunks per stream`);
console.log('variant   server CPU µs/stream (median, min-max)   wall µs/stream   bytes/stream');
for (const n of names) {
  const cpus = samples[n].map((s) => s.cpu);
  const floor = n === 'floor' ? '' : `   (+${(median(cpus) - median(samples.floor.map((s) => s.cpu))).toFixed(1)} over floor)`;
  console.log(
    `${n.padEnd(8)}  ${median(cpus).toFixed(1).padStart(7)} (${Math.min(...cpus).toFixed(1)}-${Math.max(...cpus).toFixed(1)})${floor.padEnd(22)}  ${median(samples[n].map((s) => s.wall)).toFixed(1).padStart(8)}   ${samples[n][0].bytesPer}`,
  );
}
server.closeAllConnections();
server.close();
