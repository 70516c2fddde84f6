import type { ServerResponse } from 'node:http';
import { sleep, type UpstreamContext } from './fake-server';
import { checkImageUpload } from './multipart';

/**
 * Behaviour knobs of the fake OpenAI-compatible upstreams. Set them per server (`opts`,
 * `fake.setKnobs`) or per request through the model name, like tools/bench's mock upstream:
 * `fake-chunks-50-delay-10`, `gpt-4o-status-429`, `m-reset-3`, `m-longline-70000`, `m-tools`,
 * `m-nousage`, `m-prompt-7-completion-9`, `m-latency-200`, `m-chunks-2000-pad-1000`,
 * `m-stall-3`, `m-noeol-20971520`, `m-malformed`, `m-status-429-retryafter-7`, `m-cached-4`.
 */
export interface FakeKnobs {
  /** usage.prompt_tokens reported (default 10). */
  promptTokens: number;
  /** usage.completion_tokens reported (default: the number of content chunks). */
  completionTokens?: number;
  /** False → no usage anywhere (not in JSON replies, no usage chunk even with include_usage). */
  usage: boolean;
  /** Content chunks in a stream; the non-streamed reply has the same text (default 5). */
  chunks: number;
  /** Delay between stream chunks (default 0: all written in one tick, each its own write). */
  chunkDelayMs: number;
  /** Delay before the status line and headers. */
  latencyMs: number;
  /** Forced status with an OpenAI-style error body (400, 401, 429, 500, ...). */
  status?: number;
  /** Message of the forced error (default per status). */
  errorMessage?: string;
  /** Apply `status` only to the first N model requests, then answer normally. */
  statusTimes?: number;
  /** Reset the TCP connection after N content chunks (mid-stream failure). */
  resetAfterChunks?: number;
  /** End the response cleanly after N content chunks, without the stream's closing events (`close-N`). */
  closeAfterChunks?: number;
  /** Make the first content chunk this many characters long (one SSE line > 64 KB). */
  longLineBytes?: number;
  /** Stream/return two tool calls (indexes 0 and 1) instead of text. */
  toolCalls: boolean;
  /** Pad every content piece to this many characters (`tok3 ....`): `chunks-2000-pad-1000` ≈ 2 MB of SSE. */
  padBytes?: number;
  /** Stop writing after N content chunks and hold the connection open until the client closes it (a stalled upstream). */
  stallAfterChunks?: number;
  /**
   * After the role chunk, write one `data:` line of this many bytes with no newline at all (in
   * 64 KiB writes that wait for 'drain', so the fake itself holds no copy), then end the response.
   */
  noEolBytes?: number;
  /** Mix malformed events (`data: {"choices": [` and `data: not json`) in after every content chunk. */
  malformed: boolean;
  /** A forced error status (`status`) carries `Retry-After: <n>`. */
  retryAfter?: number;
  /** Of the prompt tokens, those reported as read from the prompt cache (Responses `input_tokens_details.cached_tokens`). */
  cachedTokens?: number;
}

export const DEFAULT_KNOBS: FakeKnobs = { promptTokens: 10, usage: true, chunks: 5, chunkDelayMs: 0, latencyMs: 0, toolCalls: false, malformed: false };

/** Balance numbers served by the billing routes of each provider type the relay can query. */
export interface FakeBalance {
  /** OpenAI /v1/dashboard/billing/subscription. */
  hardLimitUsd: number;
  hasPaymentMethod: boolean;
  /** OpenAI /v1/dashboard/billing/usage total_usage, in cents. */
  totalUsageCents: number;
  /** /dashboard/billing/credit_grants total_available (CloseAI, API2D, AIGC2D). */
  totalAvailable: number;
  /** /dashboard/billing/credit_grants total_remaining (API2GPT). */
  totalRemaining: number;
  /** OpenAI-SB /sb-api/user/status data.credit (a string, as OpenAI-SB sends it). */
  sbCredit: string;
  /** AIProxy /api/report/getUserOverview data.totalPoints. */
  aiproxyPoints: number;
  /** DeepSeek /user/balance balance_infos. */
  deepseek: { currency: string; total_balance: string }[];
  /** OpenRouter /api/v1/credits. */
  openrouterCredits: number;
  openrouterUsage: number;
  /** SiliconFlow /v1/user/info data.totalBalance. */
  siliconflowBalance: string;
}

export const DEFAULT_BALANCE: FakeBalance = {
  hardLimitUsd: 120,
  hasPaymentMethod: true,
  totalUsageCents: 2050,
  totalAvailable: 18.5,
  totalRemaining: 7.25,
  sbCredit: '42.5',
  aiproxyPoints: 3.75,
  deepseek: [{ currency: 'CNY', total_balance: '110.00' }],
  openrouterCredits: 25,
  openrouterUsage: 4.5,
  siliconflowBalance: '14.2',
};

const CREATED = 1_700_000_000;

/** The OpenAI endpoints (path after the version prefix) the fakes answer. */
export const MODEL_TASKS: ReadonlySet<string> = new Set([
  'chat/completions',
  'completions',
  'embeddings',
  'moderations',
  'images/generations',
  'images/edits',
  'images/variations',
  'audio/speech',
  'audio/transcriptions',
  'audio/translations',
  'edits',
]);

/** Knobs from a model name (`...-chunks-50-delay-10-tools`). */
export function knobsFromModel(model: string): Partial<FakeKnobs> {
  const k: Partial<FakeKnobs> = {};
  const n = (name: string) => {
    const m = new RegExp(`(?:^|-)${name}-(\\d+)`).exec(model);
    return m ? Number(m[1]) : undefined;
  };
  const set = <K extends keyof FakeKnobs>(key: K, v: FakeKnobs[K] | undefined) => {
    if (v !== undefined) k[key] = v;
  };
  set('chunks', n('chunks'));
  set('chunkDelayMs', n('delay'));
  set('latencyMs', n('latency'));
  set('status', n('status'));
  set('resetAfterChunks', n('reset'));
  set('closeAfterChunks', n('close'));
  set('longLineBytes', n('longline'));
  set('promptTokens', n('prompt'));
  set('completionTokens', n('completion'));
  set('padBytes', n('pad'));
  set('stallAfterChunks', n('stall'));
  set('noEolBytes', n('noeol'));
  set('retryAfter', n('retryafter'));
  set('cachedTokens', n('cached'));
  if (/(?:^|-)tools(?:-|$)/.test(model)) k.toolCalls = true;
  if (/(?:^|-)malformed(?:-|$)/.test(model)) k.malformed = true;
  if (/(?:^|-)nousage(?:-|$)/.test(model)) k.usage = false;
  return k;
}

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'fake upstream: bad request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later' },
};

/** OpenAI's error body for a status. */
export function openAIError(status: number, message?: string): { error: { message: string; type: string; param: null; code: string | null } } {
  const d = ERROR_DEFAULTS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `fake upstream error ${status}` };
  return { error: { message: message ?? d.message, type: d.type, param: null, code: d.code } };
}

const TOOL_CALLS = [
  { id: 'call_fake_0', name: 'get_weather', args: ['{"city":', '"Paris"', '}'] },
  { id: 'call_fake_1', name: 'get_time', args: ['{"tz":', '"UTC"}'] },
];

function contentPieces(k: FakeKnobs): string[] {
  const pieces = Array.from({ length: k.chunks }, (_, i) => (k.padBytes ? `tok${i} `.padEnd(k.padBytes, '.') : `tok${i} `));
  if (k.longLineBytes && pieces.length > 0) pieces[0] = 'x'.repeat(k.longLineBytes);
  return pieces;
}

function usageOf(k: FakeKnobs, defaultCompletion: number) {
  const completion = k.completionTokens ?? defaultCompletion;
  const usage = { prompt_tokens: k.promptTokens, completion_tokens: completion, total_tokens: k.promptTokens + completion };
  return k.cachedTokens ? { ...usage, prompt_tokens_details: { cached_tokens: k.cachedTokens } } : usage;
}

function inputCount(input: unknown): number {
  if (Array.isArray(input)) {
    // number[] is ONE token-array input; string[] and number[][] are one input per element.
    return input.length > 0 && input.every((x) => typeof x === 'number') ? 1 : input.length;
  }
  return 1;
}

function embedding(i: number, dims: number): number[] {
  return Array.from({ length: dims }, (_, d) => Math.round(Math.sin(i + d + 1) * 1e6) / 1e6);
}

export interface RespondInput {
  ctx: UpstreamContext;
  /** Path after the version prefix, e.g. `chat/completions`. */
  task: string;
  /** Model when the body has none (Azure: the deployment). */
  fallbackModel?: string;
  knobs: FakeKnobs;
  /** Called for model requests; returns true when the forced status applies to this one. */
  takeForcedStatus: (k: FakeKnobs) => boolean;
  baseUrl: string;
}

/** Answers one OpenAI API call; returns false when the task is not an OpenAI endpoint. */
export async function respondOpenAI({ ctx, task, fallbackModel, knobs, takeForcedStatus, baseUrl }: RespondInput): Promise<boolean> {
  const { res, record, json } = ctx;
  const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
  const model = typeof body.model === 'string' ? body.model : (fallbackModel ?? 'fake-model');
  const k: FakeKnobs = { ...knobs, ...knobsFromModel(model) };
  const stream = body.stream === true;
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;

  if (!MODEL_TASKS.has(task) || ctx.req.method !== 'POST') return false;

  await sleep(k.latencyMs, res);
  if (res.destroyed) return true;
  if (k.status !== undefined && takeForcedStatus(k)) {
    json(k.status, openAIError(k.status, k.errorMessage), k.retryAfter !== undefined ? { 'Retry-After': String(k.retryAfter) } : {});
    return true;
  }

  const pieces = contentPieces(k);
  const text = pieces.join('');
  const usage = usageOf(k, pieces.length);
  const withUsage = <T extends object>(o: T) => (k.usage ? { ...o, usage } : o);

  switch (task) {
    case 'chat/completions': {
      const id = 'chatcmpl-fake';
      if (!stream) {
        const message = k.toolCalls
          ? {
              role: 'assistant',
              content: null,
              tool_calls: TOOL_CALLS.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.args.join('') } })),
            }
          : { role: 'assistant', content: text, refusal: null };
        json(
          200,
          withUsage({
            id,
            object: 'chat.completion',
            created: CREATED,
            model,
            system_fingerprint: 'fp_fake',
            choices: [{ index: 0, message, logprobs: null, finish_reason: k.toolCalls ? 'tool_calls' : 'stop' }],
          }),
        );
        return true;
      }
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        // OpenAI adds "usage": null to every chunk when include_usage was asked for.
        ...(includeUsage ? { usage: null } : {}),
      });
      const deltas: Record<string, unknown>[] = k.toolCalls
        ? TOOL_CALLS.flatMap((t, index) => [
            { tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] },
            ...t.args.map((a) => ({ tool_calls: [{ index, function: { arguments: a } }] })),
          ])
        : pieces.map((content) => ({ content }));
      await streamOut(ctx, k, [
        chunk({ role: 'assistant', content: k.toolCalls ? null : '' }, null),
        ...deltas.map((d) => chunk(d, null)),
        chunk({}, k.toolCalls ? 'tool_calls' : 'stop'),
      ], includeUsage && k.usage ? { id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_fake', choices: [], usage } : undefined);
      return true;
    }
    case 'completions': {
      const id = 'cmpl-fake';
      const choice = (t: string, finish: string | null) => ({ text: t, index: 0, logprobs: null, finish_reason: finish });
      if (!stream) {
        json(200, withUsage({ id, object: 'text_completion', created: CREATED, model, choices: [choice(text, 'stop')] }));
        return true;
      }
      const chunk = (t: string, finish: string | null) => ({ id, object: 'text_completion', created: CREATED, model, choices: [choice(t, finish)] });
      await streamOut(ctx, k, [...pieces.map((p) => chunk(p, null)), chunk('', 'stop')], includeUsage && k.usage ? { id, object: 'text_completion', created: CREATED, model, choices: [], usage } : undefined);
      return true;
    }
    case 'embeddings': {
      const count = inputCount(body.input);
      const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
      const base64 = body.encoding_format === 'base64';
      const data = Array.from({ length: count }, (_, index) => {
        const vec = embedding(index, dims);
        return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec };
      });
      json(200, { object: 'list', data, model, usage: { prompt_tokens: k.promptTokens, total_tokens: k.promptTokens } });
      return true;
    }
    case 'moderations': {
      const count = Array.isArray(body.input) ? body.input.length : 1;
      const flagged = typeof body.input === 'string' && body.input.includes('FLAG');
      const categories = { hate: false, harassment: false, 'self-harm': false, sexual: false, violence: flagged };
      const scores = Object.fromEntries(Object.entries(categories).map(([c, v]) => [c, v ? 0.99 : 0.0001]));
      json(200, { id: 'modr-fake', model: model === 'fake-model' ? 'text-moderation-007' : model, results: Array.from({ length: count }, () => ({ flagged, categories, category_scores: scores })) });
      return true;
    }
    case 'images/generations': {
      const n = typeof body.n === 'number' ? body.n : 1;
      const b64 = body.response_format === 'b64_json';
      // A 1x1 PNG.
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
      json(200, {
        created: CREATED,
        data: Array.from({ length: n }, (_, i) => (b64 ? { b64_json: png, revised_prompt: body.prompt } : { url: `${baseUrl}/files/image-${i}.png`, revised_prompt: body.prompt })),
      });
      return true;
    }
    case 'images/edits':
    case 'images/variations': {
      const upload = checkImageUpload(task, record.parts ?? []);
      if (typeof upload === 'string') {
        json(400, { error: { message: upload, type: 'invalid_request_error', param: null, code: null } });
        return true;
      }
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
      // gpt-image models answer base64 only and report token usage (text + image input, image output).
      const gptImage = upload.model.startsWith('gpt-image');
      const b64 = gptImage || upload.fields.response_format === 'b64_json';
      const data = Array.from({ length: upload.n }, (_, i) => (b64 ? { b64_json: png } : { url: `${baseUrl}/files/edit-${i}.png` }));
      if (!gptImage) {
        json(200, { created: CREATED, data });
        return true;
      }
      const imageTokens = 100 * upload.images.length;
      const output = k.completionTokens ?? 1000 * upload.n;
      json(200, {
        created: CREATED,
        data,
        usage: { input_tokens: k.promptTokens + imageTokens, output_tokens: output, total_tokens: k.promptTokens + imageTokens + output, input_tokens_details: { text_tokens: k.promptTokens, image_tokens: imageTokens } },
      });
      return true;
    }
    case 'audio/speech': {
      const input = typeof body.input === 'string' ? body.input : '';
      // Recognisable bytes: an ID3 header, then one byte per input character.
      const audio = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(Math.max(1, input.length), 0xaa)]);
      const sse = body.stream_format === 'sse';
      if (!sse && k.chunkDelayMs === 0) {
        res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': String(audio.length) });
        res.end(audio);
        return true;
      }
      // Streamed speech (OpenAI sends audio as it is generated): `chunks` pieces, `delay` ms apart;
      // with stream_format "sse", OpenAI's speech.audio.delta events then speech.audio.done.
      await speechOut(ctx, k, audio, sse, usageOf(k, k.chunks));
      return true;
    }
    case 'audio/transcriptions':
    case 'audio/translations': {
      const file = record.parts?.find((p) => p.filename !== undefined);
      const transcript = `fake ${task === 'audio/translations' ? 'translation' : 'transcription'} of ${file?.data.length ?? 0} bytes`;
      const format = typeof body.response_format === 'string' ? body.response_format : 'json';
      if (format === 'text' || format === 'srt' || format === 'vtt') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(transcript);
      } else if (format === 'verbose_json') {
        json(200, { task: task === 'audio/translations' ? 'translate' : 'transcribe', language: 'english', duration: 1.5, text: transcript, segments: [] });
      } else {
        json(200, { text: transcript });
      }
      return true;
    }
    case 'edits': {
      json(200, withUsage({ object: 'edit', created: CREATED, choices: [{ text: `${typeof body.input === 'string' ? body.input : ''}${text}`, index: 0 }] }));
      return true;
    }
  }
  return false;
}

/** Writes one body write of a streamed response and records its time (`record.writeTimes`). */
function timedWrite(ctx: UpstreamContext, data: string | Buffer): boolean {
  const ok = ctx.res.write(data);
  (ctx.record.writeTimes ??= []).push(Date.now());
  return ok;
}

/** Resolves when the response can take more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const MALFORMED_EVENTS = ['data: {"choices": [\n\n', 'data: not json\n\n'];

/**
 * Writes SSE chunks (each its own write), honouring the delay, reset, stall, no-EOL and malformed
 * knobs, then usage and [DONE].
 */
async function streamOut(ctx: UpstreamContext, k: FakeKnobs, chunks: unknown[], usageChunk: unknown | undefined): Promise<void> {
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders();
  let content = 0;
  for (let i = 0; i < chunks.length; i++) {
    if (res.destroyed) return;
    timedWrite(ctx, `data: ${JSON.stringify(chunks[i])}\n\n`);
    if (i === 0 && k.noEolBytes !== undefined) {
      await endlessLine(ctx, k.noEolBytes);
      return;
    }
    // chunks[0] is the role chunk and the last is the finish chunk; the rest are content.
    const isContent = i > 0 && i < chunks.length - 1;
    if (isContent) content++;
    if (isContent && k.malformed) timedWrite(ctx, MALFORMED_EVENTS[(content - 1) % MALFORMED_EVENTS.length]);
    if (k.resetAfterChunks !== undefined && content >= k.resetAfterChunks) {
      // Let the written chunks reach the client, then RST (not FIN): it sees ECONNRESET mid-stream.
      await sleep(30, res);
      res.socket?.resetAndDestroy();
      return;
    }
    if (k.stallAfterChunks !== undefined && content >= k.stallAfterChunks) {
      // Silent but connected until the client gives up (or the fake closes).
      if (!res.destroyed) await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return;
    }
    if (k.chunkDelayMs > 0 && i < chunks.length - 1) await sleep(k.chunkDelayMs, res);
  }
  if (res.destroyed) return;
  if (usageChunk) timedWrite(ctx, `data: ${JSON.stringify(usageChunk)}\n\n`);
  timedWrite(ctx, 'data: [DONE]\n\n');
  res.end();
}

/** One `data:` line of `bytes` bytes that never ends with a newline, written as the client reads it; then FIN. */
async function endlessLine(ctx: UpstreamContext, bytes: number): Promise<void> {
  const { res } = ctx;
  const head = Buffer.from('data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"');
  const piece = Buffer.alloc(64 * 1024, 0x78); // 'x', reused: the fake holds no copy of the line
  let sent = 0;
  if (!res.destroyed) {
    res.write(head);
    sent += head.length;
  }
  while (sent < bytes && !res.destroyed) {
    const n = Math.min(piece.length, bytes - sent);
    if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) await drained(res);
    sent += n;
  }
  (ctx.record.writeTimes ??= []).push(Date.now());
  if (!res.destroyed) res.end();
}

/** Text-to-speech as OpenAI streams it: raw audio pieces, or speech.audio.delta / speech.audio.done events. */
async function speechOut(ctx: UpstreamContext, k: FakeKnobs, audio: Buffer, sse: boolean, usage: { prompt_tokens: number; completion_tokens: number }): Promise<void> {
  const { res } = ctx;
  const n = Math.max(1, Math.min(k.chunks, audio.length));
  const size = Math.ceil(audio.length / n);
  const pieces = Array.from({ length: n }, (_, i) => audio.subarray(i * size, Math.min(audio.length, (i + 1) * size))).filter((p) => p.length > 0);
  res.writeHead(200, sse ? { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' } : { 'Content-Type': 'audio/mpeg' });
  res.flushHeaders();
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return;
    timedWrite(ctx, sse ? `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: pieces[i].toString('base64') })}\n\n` : pieces[i]);
    if (k.resetAfterChunks !== undefined && i + 1 >= k.resetAfterChunks) {
      await sleep(30, res);
      res.socket?.resetAndDestroy();
      return;
    }
    if (k.chunkDelayMs > 0 && i < pieces.length - 1) await sleep(k.chunkDelayMs, res);
  }
  if (res.destroyed) return;
  if (sse) {
    const u = { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    timedWrite(ctx, `data: ${JSON.stringify({ type: 'speech.audio.done', usage: u })}\n\n`);
  }
  res.end();
}
