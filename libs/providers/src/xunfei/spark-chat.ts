import { createHmac } from 'node:crypto';
import type { ConversionContext, ResponseConversion, SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { ChannelConfigError, UnsupportedParameterError } from '../errors';
import { asChatRequest, num, partsOf, textOf } from '../native/openai-chat.types';
import { chunk, openAIError, toolCallId, usageChunk, usageOf } from '../native/openai-chunks';

/** The channel key's three parts, One API's `APPID|APISecret|APIKey`. */
export interface SparkCredentials {
  appId: string;
  apiSecret: string;
  apiKey: string;
}

/** Splits a channel key; throws `ChannelConfigError` unless it has three non-empty parts. */
export function sparkCredentials(channelId: number, key: string): SparkCredentials {
  const parts = key.split('|').map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new ChannelConfigError(channelId, 'the Spark key must be APPID|APISecret|APIKey');
  return { appId: parts[0], apiSecret: parts[1], apiKey: parts[2] };
}

/** API versions named by One API's model names. */
const VERSION_OF_MODEL: Readonly<Record<string, string>> = {
  'Spark-Lite': 'v1.1',
  'Spark-Pro': 'v3.1',
  'Spark-Pro-128K': 'v3.1-128K',
  'Spark-Max': 'v3.5',
  'Spark-Max-32K': 'v3.5-32K',
  'Spark-4.0-Ultra': 'v4.0',
};

const DOMAIN_OF_VERSION: Readonly<Record<string, string>> = {
  'v1.1': 'lite',
  'v2.1': 'generalv2',
  'v3.1': 'generalv3',
  'v3.1-128K': 'pro-128k',
  'v3.5': 'generalv3.5',
  'v3.5-32K': 'max-32k',
  'v4.0': '4.0Ultra',
};

/**
 * The API version of a request, as One API picks it: from the model name (`Spark-Max`, or the
 * part after the first dash, `SparkDesk-v3.1`), else the channel's `api_version`, else v1.1.
 */
export function sparkApiVersion(model: string, configured: string | undefined): string {
  const named = VERSION_OF_MODEL[model];
  if (named) return named;
  const dash = model.indexOf('-');
  if (dash !== -1 && dash < model.length - 1) return model.slice(dash + 1);
  return configured?.trim() || 'v1.1';
}

/** The `domain` parameter of an API version. */
export function sparkDomain(version: string): string {
  return DOMAIN_OF_VERSION[version] ?? `general${version}`;
}

/** The socket path of an API version (the long-context models have their own). */
export function sparkPath(version: string): string {
  if (version === 'v3.1-128K') return '/chat/pro-128k';
  if (version === 'v3.5-32K') return '/chat/max-32k';
  return `/${version}/chat`;
}

/** Function calling exists on the v3 and 4.0 domains only. */
function domainHasFunctions(domain: string): boolean {
  return domain.startsWith('generalv3') || domain === '4.0Ultra';
}

/**
 * The signed socket URL: HMAC-SHA256 with the APISecret over `host`, `date` and the request line,
 * base64, in an `authorization` (base64 again) naming the APIKey; all three as query parameters.
 */
export function signSparkUrl(url: string, cred: SparkCredentials, now: Date = new Date()): string {
  const u = new URL(url);
  const date = now.toUTCString();
  const signed = `host: ${u.host}\ndate: ${date}\nGET ${u.pathname} HTTP/1.1`;
  const signature = createHmac('sha256', cred.apiSecret).update(signed).digest('base64');
  const authorization = Buffer.from(`api_key="${cred.apiKey}", algorithm="hmac-sha256", headers="host date request-line", signature="${signature}"`).toString('base64');
  u.search = new URLSearchParams({ authorization, date, host: u.host }).toString();
  return u.toString();
}

interface SparkFunctionCall {
  name?: string;
  arguments?: string;
}

/** One answer frame (`payload.choices.status` 2 is the last; `header.code` not 0 an error). */
export interface SparkFrame {
  header?: { code?: number; message?: string; sid?: string; status?: number };
  payload?: {
    choices?: { status?: number; seq?: number; text?: { content?: string; role?: string; index?: number; function_call?: SparkFunctionCall }[] };
    usage?: { text?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } };
  };
}

/**
 * OpenAI chat body → Spark's request frame: text messages with their roles, temperature,
 * max_tokens, top_p as Spark's top_k has no OpenAI counterpart; `user` as `header.uid`; tools
 * as `payload.functions` on the domains that have them. What Spark cannot express (other
 * parts than text, several choices, tools on older domains) answers 400 naming it.
 */
export function toSparkRequest(body: Record<string, unknown>, ctx: ConversionContext, version: string): Record<string, unknown> {
  const req = asChatRequest(body);
  if (!ctx.channel) throw new Error('the Spark request needs its channel');
  const cred = sparkCredentials(ctx.channel.id, ctx.channel.key);
  const domain = sparkDomain(version);
  if ((num(req.n) ?? 1) > 1) throw new UnsupportedParameterError('n', 'n: Spark returns one answer');
  const text = req.messages.map((m, i) => {
    if (partsOf(m.content).some((p) => p.type !== 'text')) throw new UnsupportedParameterError(`messages[${i}].content`, `messages[${i}].content: only text is relayed to Spark`);
    return { role: m.role, content: textOf(m.content) };
  });
  const chat: Record<string, unknown> = { domain };
  const temperature = num(req.temperature);
  if (temperature !== undefined) chat.temperature = temperature;
  const maxTokens = num(req.max_tokens) ?? num(req.max_completion_tokens);
  if (maxTokens !== undefined) chat.max_tokens = maxTokens;
  const header: Record<string, unknown> = { app_id: cred.appId };
  if (typeof req.user === 'string' && req.user !== '') header.uid = req.user.slice(0, 32);
  const payload: Record<string, unknown> = { message: { text } };
  const tools = Array.isArray(req.tools) ? (req.tools as { type?: string; function?: Record<string, unknown> }[]) : [];
  if (tools.length > 0) {
    if (!domainHasFunctions(domain)) throw new UnsupportedParameterError('tools', `tools: Spark ${domain} has no function calling`);
    payload.functions = { text: tools.map((t) => t.function ?? {}) };
  }
  return { header, parameter: { chat }, payload };
}

/** HTTP status of a Spark error code: credentials, rate limits, request errors, engine failures. */
export function sparkErrorStatus(code: number): number {
  // 10313 APPID and APIKey do not match, 11200 the app is not authorised (or its volume is used up), 10110 no licence.
  if (code === 10313 || code === 11200 || code === 10110) return 401;
  // Daily volume, QPS and concurrency limits.
  if (code === 11201 || code === 11202 || code === 11203) return 429;
  if (code >= 10000 && code < 11000 && code !== 10222 && code !== 10223) return 400;
  return 502;
}

/** One Spark frame → OpenAI chunks; the frame with status 2 carries usage and ends the stream. */
export function convertSparkStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
  let frame: SparkFrame;
  try {
    frame = JSON.parse(event.data) as SparkFrame;
  } catch {
    return { chunks: [], done: false };
  }
  const code = frame.header?.code ?? 0;
  if (code !== 0) return { chunks: [{ ...openAIError(frame.header?.message ?? `Spark error ${code}`, 'upstream_error', String(code)) }], done: true };
  const chunks: Record<string, unknown>[] = [];
  if (state.scratch.started !== true) {
    state.scratch.started = true;
    chunks.push(chunk(state, { role: 'assistant', content: '' }));
  }
  for (const t of frame.payload?.choices?.text ?? []) {
    if (t.function_call) {
      const index = state.toolCallIndex.size;
      state.toolCallIndex.set(String(index), index);
      state.scratch.toolCalls = true;
      chunks.push(chunk(state, { tool_calls: [{ index, id: toolCallId(), type: 'function', function: { name: t.function_call.name ?? '', arguments: t.function_call.arguments ?? '' } }] }));
    } else if (t.content) chunks.push(chunk(state, { content: t.content }));
  }
  const u = frame.payload?.usage?.text;
  if (u && typeof u.prompt_tokens === 'number') state.reportedUsage = usageOf(u.prompt_tokens, num(u.completion_tokens) ?? 0, num(u.total_tokens));
  const last = frame.payload?.choices?.status === 2 || frame.header?.status === 2;
  if (!last) return { chunks, done: false };
  state.finishReason = state.scratch.toolCalls === true ? 'tool_calls' : 'stop';
  chunks.push(chunk(state, {}, state.finishReason));
  if (state.reportedUsage) {
    state.usage = state.reportedUsage;
    chunks.push(usageChunk(state, state.usage));
  }
  return { chunks, done: true };
}

/** Spark has no JSON replies: the socket's error reply is the only one that arrives whole. */
export function fromSparkJson(body: unknown): ResponseConversion {
  const e = (body as { error?: { message?: string } } | null)?.error;
  return { body: openAIError(e?.message ?? 'Spark answered no completion', 'upstream_error') as unknown as Record<string, unknown> };
}
