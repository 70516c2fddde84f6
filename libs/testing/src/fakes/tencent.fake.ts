import { createHash, createHmac } from 'node:crypto';
import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

export interface FakeTencentOptions extends FakeUpstreamOptions {
  secretId: string;
  secretKey: string;
}

const FIELDS = new Set(['Model', 'Messages', 'Stream', 'StreamModeration', 'TopP', 'Temperature', 'EnableEnhancement', 'Tools', 'ToolChoice', 'CustomTool', 'SearchInfo', 'Citation', 'EnableSpeedSearch', 'EnableMultimedia', 'EnableDeepSearch', 'Seed', 'ForceSearchEnhancement', 'Stop', 'EnableRecommendedQuestions', 'EnableDeepRead']);

const CALLS = [
  { Id: 'call_hy_0', Name: 'get_weather', Args: ['{"city":', ' "Paris"}'] },
  { Id: 'call_hy_1', Name: 'get_time', Args: ['{"tz": "UTC"}'] },
];

const sha256hex = (s: Buffer | string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** Tencent answers every API 3.0 error with HTTP 200 and `Response.Error`. */
function tcError(ctx: UpstreamContext, code: string, message: string): void {
  ctx.json(200, { Response: { Error: { Code: code, Message: message }, RequestId: 'fake-req-id' } });
}

function invalid(body: Record<string, unknown>): [string, string] | undefined {
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) return ['UnknownParameter', `The parameter \`${k}\` is not recognized.`];
  if (typeof body.Model !== 'string' || body.Model === '') return ['MissingParameter', 'The request is missing a required parameter `Model`.'];
  const messages = body.Messages as { Role?: unknown; Content?: unknown; ToolCallId?: unknown }[] | undefined;
  if (!Array.isArray(messages) || messages.length === 0) return ['MissingParameter', 'The request is missing a required parameter `Messages`.'];
  for (const [i, m] of messages.entries()) {
    if (!['system', 'user', 'assistant', 'tool'].includes(String(m.Role))) return ['InvalidParameterValue', `Messages[${i}].Role is invalid`];
    if (m.Role === 'system' && i !== 0) return ['InvalidParameter', 'system messages must come first'];
    if (m.Role === 'tool' && typeof m.ToolCallId !== 'string') return ['InvalidParameter', `Messages[${i}].ToolCallId is required`];
  }
  const last = messages[messages.length - 1];
  if (last.Role !== 'user' && last.Role !== 'tool') return ['InvalidParameter', 'Messages must end with a user or tool message'];
  for (const t of (body.Tools ?? []) as { Function?: { Parameters?: unknown } }[]) {
    if (typeof t.Function?.Parameters !== 'string') return ['InvalidParameter', 'Tools.Function.Parameters must be a JSON string'];
  }
  return undefined;
}

/**
 * A fake Tencent Hunyuan API 3.0 endpoint (`POST /`, X-TC-Action ChatCompletions, version
 * 2023-09-01) that recomputes every TC3-HMAC-SHA256 signature from the request it received (host,
 * action, timestamp, body) with its own secret: an unknown SecretId is AuthFailure.SecretIdNotFound,
 * a wrong signature AuthFailure.SignatureFailure, unknown body fields UnknownParameter — all with
 * HTTP 200 and `Response.Error`, as Tencent answers. Knobs through the `Model` name.
 */
export async function startFakeTencent(opts: FakeTencentOptions): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, res, json } = ctx;
    if (req.method !== 'POST' || record.path !== '/') return json(404, { Response: { Error: { Code: 'InvalidAction', Message: 'not found' } } });
    const action = String(req.headers['x-tc-action'] ?? '');
    if (action !== 'ChatCompletions') return tcError(ctx, 'InvalidAction', `The action \`${action}\` does not exist.`);
    if (req.headers['x-tc-version'] !== '2023-09-01') return tcError(ctx, 'NoSuchVersion', 'The requested version does not exist.');
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/hunyuan\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
    if (!m) return tcError(ctx, 'AuthFailure.InvalidAuthorization', 'Authorization header is invalid.');
    const [, secretId, date, signature] = m;
    if (secretId !== opts.secretId) return tcError(ctx, 'AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(timestamp) || new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return tcError(ctx, 'AuthFailure.SignatureFailure', 'The credential date does not match X-TC-Timestamp.');
    const canonical = ['POST', '/', '', `content-type:${String(req.headers['content-type'])}\nhost:${String(req.headers.host)}\nx-tc-action:${action.toLowerCase()}\n`, 'content-type;host;x-tc-action', sha256hex(record.rawBody)].join('\n');
    const toSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/hunyuan/tc3_request`, sha256hex(canonical)].join('\n');
    const key = hmac(hmac(hmac(`TC3${opts.secretKey}`, date), 'hunyuan'), 'tc3_request');
    if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
      return tcError(ctx, 'AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    const model = typeof body.Model === 'string' ? body.Model : '';
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return tcError(ctx, k.status === 429 ? 'RequestLimitExceeded' : 'InternalError', k.errorMessage ?? `fake Tencent: ${k.status}`);
    const bad = invalid(body);
    if (bad) return tcError(ctx, bad[0], bad[1]);
    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const output = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const Usage = { PromptTokens: k.promptTokens, CompletionTokens: output, TotalTokens: k.promptTokens + output };
    const base = { Note: '以上内容为AI生成', Id: 'hy-fake', Created: Math.floor(Date.now() / 1000) };
    const finish = k.toolCalls ? 'tool_calls' : 'stop';
    if (body.Stream !== true) {
      const Message = k.toolCalls
        ? { Role: 'assistant', Content: '', ToolCalls: CALLS.map((c, Index) => ({ Id: c.Id, Type: 'function', Index, Function: { Name: c.Name, Arguments: c.Args.join('') } })) }
        : { Role: 'assistant', Content: pieces.join('') };
      return json(200, { Response: { ...base, Choices: [{ FinishReason: finish, Message }], Usage, RequestId: 'fake-req-id' } });
    }
    const event = (Delta: Record<string, unknown>, FinishReason = '', content = true) => ({ text: `data: ${JSON.stringify({ ...base, Choices: [{ Delta: { Role: 'assistant', ...Delta }, FinishReason }], Usage })}\n\n`, content });
    const events = k.toolCalls
      ? CALLS.flatMap((c, Index) => [
          event({ Content: '', ToolCalls: [{ Id: c.Id, Type: 'function', Index, Function: { Name: c.Name, Arguments: c.Args[0] } }] }),
          ...c.Args.slice(1).map((a) => event({ Content: '', ToolCalls: [{ Index, Function: { Arguments: a } }] })),
        ])
      : pieces.map((p) => event({ Content: p }));
    events.push(event({ Content: '' }, finish, false));
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
