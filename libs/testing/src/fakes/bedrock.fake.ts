import { crc32 } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';

/** Encodes one AWS event-stream message with string headers (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html). */
export function encodeEventStreamMessage(headers: Record<string, string>, payload: Buffer | string): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const hdrs = Buffer.concat(parts);
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const total = 12 + hdrs.length + body.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(hdrs.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  hdrs.copy(msg, 12);
  body.copy(msg, 12 + hdrs.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

/** A Bedrock `chunk` event carrying one Anthropic stream event. */
export function bedrockChunk(event: Record<string, unknown>): Buffer {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return encodeEventStreamMessage({ ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify({ bytes, p: 'abcdefghij' }));
}

/** A Bedrock exception message in the middle of a stream. */
export function bedrockException(type: string, message: string): Buffer {
  return encodeEventStreamMessage({ ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

export interface FakeBedrockOptions extends FakeUpstreamOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** Keys Bedrock accepts in an Anthropic Messages InvokeModel body; any other is "extraneous". */
const ALLOWED_KEYS = new Set(['anthropic_version', 'anthropic_beta', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice', 'thinking']);

const TOOL_USES = [
  { id: 'toolu_bdrk_0', name: 'get_weather', args: ['{"city":', ' "Paris"}'] },
  { id: 'toolu_bdrk_1', name: 'get_time', args: ['{"tz": "UTC"}'] },
];

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

function awsError(ctx: UpstreamContext, status: number, type: string, message: string): void {
  ctx.json(status, { message }, { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

function invalidBody(body: Record<string, unknown>): string | undefined {
  for (const k of Object.keys(body)) if (!ALLOWED_KEYS.has(k)) return `Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`;
  if (body.anthropic_version !== 'bedrock-2023-05-31') return 'Malformed input request: #: required key [anthropic_version] not found or invalid, please reformat your input and try again.';
  if (typeof body.max_tokens !== 'number') return 'Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'Malformed input request: #/messages: expected minimum item count: 1';
  for (const m of body.messages as { role?: unknown }[]) if (m.role !== 'user' && m.role !== 'assistant') return 'messages: roles must alternate between "user" and "assistant"';
  return undefined;
}

/**
 * A fake Bedrock Runtime on 127.0.0.1: `POST /model/{modelId}/invoke` and
 * `/model/{modelId}/invoke-with-response-stream` for Anthropic models. Every request's SigV4
 * signature is recomputed from what arrived (service `bedrock`, the fake's region and secret):
 * an unknown access key is 403 UnrecognizedClientException, a wrong signature 403
 * InvalidSignatureException, as AWS answers. Bodies are checked as Bedrock checks them
 * (`anthropic_version`, no extraneous keys such as `model` or `stream`). Streams are AWS
 * event-stream frames whose `chunk` events carry base64 Anthropic events. Knobs through the model
 * id as in the other fakes (`...-tools`, `...-status-429`, `...-reset-2`, `...-exception-2`).
 */
export async function startFakeBedrock(opts: FakeBedrockOptions): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const signer = new SignatureV4({ service: 'bedrock', region: opts.region, credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }, sha256: Sha256 });
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, res } = ctx;
    const route = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(record.path);
    if (req.method !== 'POST' || !route) return awsError(ctx, 404, 'UnknownOperationException', 'Unknown operation');
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return awsError(ctx, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, accessKey, , region, service, signedHeaders, signature] = m;
    if (accessKey !== opts.accessKeyId) return awsError(ctx, 403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (region !== opts.region || service !== 'bedrock') return awsError(ctx, 403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service.`);
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!dm) return awsError(ctx, 403, 'InvalidSignatureException', 'Date must be in ISO-8601 basic format');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const v = req.headers[name];
      headers[name] = Array.isArray(v) ? v.join(',') : (v ?? '');
    }
    const rawPath = (req.url ?? '/').split('?')[0];
    const expected = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path: rawPath, query: record.query, headers, body: record.rawBody },
      { signingDate: new Date(Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6])) },
    );
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization ?? '')?.[1];
    if (expectedSignature !== signature) {
      return awsError(ctx, 403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
    }

    const modelId = decodeURIComponent(route[1]);
    const streamed = route[2] === 'invoke-with-response-stream';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(record.rawBody.toString('utf8')) as Record<string, unknown>;
    } catch {
      return awsError(ctx, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
    }
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(modelId) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return awsError(ctx, k.status, ERROR_TYPES[k.status] ?? 'InternalServerException', k.errorMessage ?? `fake Bedrock: ${k.status}`);
    const invalid = invalidBody(body);
    if (invalid) return awsError(ctx, 400, 'ValidationException', invalid);

    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const output = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const stopReason = k.toolCalls ? 'tool_use' : 'end_turn';
    const id = 'msg_bdrk_fake';
    if (!streamed) {
      const content = k.toolCalls
        ? [{ type: 'text', text: 'Let me check.' }, ...TOOL_USES.map((t) => ({ type: 'tool_use', id: t.id, name: t.name, input: JSON.parse(t.args.join('')) as unknown }))]
        : [{ type: 'text', text: pieces.join('') }];
      return ctx.json(
        200,
        { id, type: 'message', role: 'assistant', model: modelId, content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: k.promptTokens, output_tokens: output } },
        { 'x-amzn-bedrock-input-token-count': String(k.promptTokens), 'x-amzn-bedrock-output-token-count': String(output) },
      );
    }
    const events: { frame: Buffer; content: boolean }[] = [];
    const ev = (e: Record<string, unknown>, content = false) => events.push({ frame: bedrockChunk(e), content });
    ev({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: modelId, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: k.promptTokens, output_tokens: 1 } } });
    ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    for (const t of k.toolCalls ? ['Let me check.'] : pieces) ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }, true);
    ev({ type: 'content_block_stop', index: 0 });
    if (k.toolCalls) {
      TOOL_USES.forEach((t, i) => {
        ev({ type: 'content_block_start', index: i + 1, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } });
        for (const a of t.args) ev({ type: 'content_block_delta', index: i + 1, delta: { type: 'input_json_delta', partial_json: a } }, true);
        ev({ type: 'content_block_stop', index: i + 1 });
      });
    }
    ev({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: output } });
    ev({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: k.promptTokens, outputTokenCount: output, invocationLatency: 100, firstByteLatency: 20 } });
    const exceptionAfter = /(?:^|-)exception-(\d+)/.exec(modelId);
    await writeFrames(res, k, events, exceptionAfter ? Number(exceptionAfter[1]) : undefined);
  });
  return controls(server);
}

async function writeFrames(res: ServerResponse, k: FakeKnobs, events: { frame: Buffer; content: boolean }[], exceptionAfter: number | undefined): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' });
  res.flushHeaders();
  let content = 0;
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return;
    res.write(events[i].frame);
    if (events[i].content) content++;
    if (exceptionAfter !== undefined && content >= exceptionAfter) {
      res.end(bedrockException('throttlingException', 'Too many tokens, please wait before trying again.'));
      return;
    }
    if (k.resetAfterChunks !== undefined && content >= k.resetAfterChunks) {
      await sleep(30, res);
      res.socket?.resetAndDestroy();
      return;
    }
    if (k.chunkDelayMs > 0 && i < events.length - 1) await sleep(k.chunkDelayMs, res);
  }
  if (!res.destroyed) res.end();
}
