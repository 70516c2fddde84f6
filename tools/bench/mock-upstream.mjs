#!/usr/bin/env node
// Minimal, fast OpenAI-compatible mock upstream for gateway benchmarks.
// Plain node:http, no framework, keep-alive on, binds to loopback only.
//
//   POST /v1/chat/completions   JSON completion with a `usage` block, or, when the
//                               body has "stream": true, an SSE stream:
//                               role chunk, N content chunks, finish chunk,
//                               usage chunk, `data: [DONE]`.
//   GET  /v1/models             model list
//   GET  /__stats               counters (requests served), handy to prove that a
//                               proxy really forwarded the traffic
//
// Environment:
//   PORT (18080)  HOST (127.0.0.1)
//   MOCK_STREAM_CHUNKS (20)      content chunks per stream
//   MOCK_STREAM_DELAY_MS (0)     delay between chunks (0 = all written in one tick)
//   MOCK_LATENCY_MS (0)          delay before the response / first chunk
//   MOCK_PROMPT_TOKENS (10)      usage.prompt_tokens reported
//   MOCK_COMPLETION_TOKENS (20)  usage.completion_tokens for non-stream replies
//                                (streams report one token per content chunk)
//
// Per-request overrides through the model name (it passes through every gateway):
//   "...-chunks-50"  -> 50 content chunks     "...-delay-10" -> 10 ms between chunks
//   "...-latency-100" -> 100 ms before the first byte
//   e.g. model "gpt-4o-mini-chunks-40-delay-25"
import http from 'node:http';

const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d);
const PORT = Number(env('PORT', 18080));
const HOST = env('HOST', '127.0.0.1');
const CHUNKS = Number(env('MOCK_STREAM_CHUNKS', 20));
const DELAY = Number(env('MOCK_STREAM_DELAY_MS', 0));
const LATENCY = Number(env('MOCK_LATENCY_MS', 0));
const PROMPT_TOKENS = Number(env('MOCK_PROMPT_TOKENS', 10));
const COMPLETION_TOKENS = Number(env('MOCK_COMPLETION_TOKENS', 20));
const CREATED = 1700000000;

const stats = { started: new Date().toISOString(), requests: 0, json: 0, stream: 0, models: 0, errors: 0 };

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

function overrides(model) {
  const num = (re, d) => {
    const m = re.exec(model);
    return m ? Number(m[1]) : d;
  };
  return {
    chunks: num(/chunks-(\d+)/, CHUNKS),
    delay: num(/delay-(\d+)/, DELAY),
    latency: num(/latency-(\d+)/, LATENCY),
  };
}

// Pre-rendered bodies, cached per model string (bounded).
const cache = new Map();
function render(model) {
  let r = cache.get(model);
  if (r) return r;
  const o = overrides(model);
  const m = JSON.stringify(model);
  const id = 'chatcmpl-mock0000000000000000000000';
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${CREATED},"model":${m},"system_fingerprint":"fp_mock"`;
  const events = [];
  events.push(`data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`);
  for (let i = 0; i < o.chunks; i++) {
    events.push(`data: ${head},"choices":[{"index":0,"delta":{"content":"tok${i} "},"logprobs":null,"finish_reason":null}]}\n\n`);
  }
  events.push(`data: ${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
  events.push(`data: ${head},"choices":[],"usage":{"prompt_tokens":${PROMPT_TOKENS},"completion_tokens":${o.chunks},"total_tokens":${PROMPT_TOKENS + o.chunks}}}\n\n`);
  events.push('data: [DONE]\n\n');
  let content = '';
  for (let i = 0; i < COMPLETION_TOKENS; i++) content += `tok${i} `;
  const json = Buffer.from(
    `{"id":"${id}","object":"chat.completion","created":${CREATED},"model":${m},"system_fingerprint":"fp_mock",` +
      `"choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(content)},"refusal":null},"logprobs":null,"finish_reason":"stop"}],` +
      `"usage":{"prompt_tokens":${PROMPT_TOKENS},"completion_tokens":${COMPLETION_TOKENS},"total_tokens":${PROMPT_TOKENS + COMPLETION_TOKENS}}}`,
  );
  r = { o, json, events: events.map((e) => Buffer.from(e)), all: Buffer.from(events.join('')) };
  if (cache.size > 256) cache.clear();
  cache.set(model, r);
  return r;
}

const MODELS_BODY = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: ['gpt-4o-mini', 'gpt-4o', 'mock-model'].map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'mock' })),
  }),
);

function sendJson(res, status, buf) {
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': buf.length });
  res.end(buf);
}

function parseBody(raw) {
  // Small bodies: JSON.parse. Anything unparsable: regex fallback.
  try {
    const j = JSON.parse(raw);
    return { stream: j.stream === true, model: typeof j.model === 'string' ? j.model : 'mock-model' };
  } catch {
    const mm = /"model"\s*:\s*"([^"]*)"/.exec(raw);
    return { stream: /"stream"\s*:\s*true/.test(raw), model: mm ? mm[1] : 'mock-model', bad: true };
  }
}

function streamOut(res, r) {
  res.writeHead(200, SSE_HEADERS);
  const { events } = r;
  if (r.o.delay <= 0) {
    // One tick: every event is still its own HTTP chunk.
    for (const e of events) res.write(e);
    res.end();
    return;
  }
  let i = 0;
  const timers = { t: null };
  const next = () => {
    if (res.destroyed) return;
    res.write(events[i++]);
    if (i >= events.length) return res.end();
    timers.t = setTimeout(next, r.o.delay);
  };
  res.on('close', () => clearTimeout(timers.t));
  next();
}

function handleChat(req, res) {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const raw = parts.length === 1 ? parts[0].toString() : Buffer.concat(parts).toString();
    const b = parseBody(raw);
    if (b.bad && raw.length === 0) {
      stats.errors++;
      return sendJson(res, 400, Buffer.from('{"error":{"message":"empty body","type":"invalid_request_error"}}'));
    }
    const r = render(b.model);
    const go = () => {
      if (b.stream) {
        stats.stream++;
        streamOut(res, r);
      } else {
        stats.json++;
        sendJson(res, 200, r.json);
      }
    };
    if (r.o.latency > 0) setTimeout(go, r.o.latency);
    else go();
  });
}

const server = http.createServer({ noDelay: true, keepAlive: true }, (req, res) => {
  stats.requests++;
  const url = req.url;
  if (req.method === 'POST' && (url === '/v1/chat/completions' || url.startsWith('/v1/chat/completions?') || url === '/chat/completions')) {
    return handleChat(req, res);
  }
  if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) {
    stats.models++;
    return sendJson(res, 200, MODELS_BODY);
  }
  if (req.method === 'GET' && url === '/__stats') {
    return sendJson(res, 200, Buffer.from(JSON.stringify(stats)));
  }
  if (req.method === 'GET' && (url === '/' || url === '/health')) {
    return sendJson(res, 200, Buffer.from('{"ok":true}'));
  }
  stats.errors++;
  req.resume();
  sendJson(res, 404, Buffer.from('{"error":{"message":"not found","type":"invalid_request_error"}}'));
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen(PORT, HOST, () => {
  console.log(`mock-upstream listening on http://${HOST}:${server.address().port} (chunks=${CHUNKS} delay=${DELAY}ms latency=${LATENCY}ms pid=${process.pid})`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
