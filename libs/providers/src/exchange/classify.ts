import type { ProviderAdapter } from '../adapter.types';
import { anthropicErrorToOpenAI } from '../anthropic/anthropic-chat';
import { CALLER_MISTAKE_STATUSES, isDisablingFailure } from '../channel-failure';
import { geminiErrorToOpenAI } from '../gemini/gemini-chat';
import { openAIError, type OpenAIErrorBody } from '../native/openai-chunks';
import { sanitizeUpstreamText } from './sanitize';

/** OpenAI's error object (`{error: ...}` without the wrapper). */
export type OpenAIErrorObject = OpenAIErrorBody['error'];

/** Which rule an upstream failure fell under (for logs and metrics; the flags say what to do). */
export type UpstreamErrorKind =
  /** 400/404/409/413/415/422: the caller's own request is wrong. */
  | 'caller'
  /** The channel's key or billing was refused (401/402/403, exhausted quota, revoked key). */
  | 'credentials'
  /** 429 without an exhausted quota. */
  | 'rate_limit'
  /** 503 and Anthropic's 529: the upstream is temporarily overloaded. */
  | 'overloaded'
  /** 408 or 504 from the upstream, or no answer in time. */
  | 'timeout'
  /** Any other status (5xx, unexpected 4xx). */
  | 'server'
  /** No response at all (refused, reset, DNS). */
  | 'unreachable'
  /** A 2xx reply that broke off or could not be read. */
  | 'bad_reply';

/**
 * What to do about one failed upstream exchange, and what the client hears. The single place
 * that decides retry / cool / disable (SPEC 13).
 */
export interface UpstreamErrorVerdict {
  kind: UpstreamErrorKind;
  /** Try another channel. */
  retry: boolean;
  /** Take the channel out of rotation for the cooldown period. */
  coolChannel: boolean;
  /** The channel's account is unusable: disable it when automatic disabling is on. */
  disableChannel: boolean;
  /** HTTP status the client gets. */
  status: number;
  /** The error the client gets, in OpenAI's shape, sanitised. */
  error: OpenAIErrorObject;
  /** For the client's `Retry-After` header; null when the upstream gave none (or it does not apply). */
  retryAfterSeconds: number | null;
  /**
   * The upstream's own error in OpenAI's shape, sanitised like `error`: for logs, the channel
   * test and the reason of an automatic disable. Differs from `error` where the client must not
   * hear the upstream's words (credentials).
   */
  upstream: OpenAIErrorObject;
}

/** What `classifyUpstreamError` reads of an upstream error reply. */
export interface UpstreamErrorReply {
  status: number;
  /** Response headers, lower-case names (`retry-after`, `retry-after-ms`). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** The reply body as text. */
  text: string;
  /** Strings never to echo (the channel's key): every ≥ 6-character fragment is removed. */
  secrets?: readonly string[];
}

const CREDENTIALS_MESSAGE = "the upstream rejected this channel's credentials";
/** Longest body excerpt used as the message of a non-JSON error reply. */
const TEXT_EXCERPT = 1000;
/** A Retry-After beyond this is a mistake (or a ban); clients get at most one day. */
const MAX_RETRY_AFTER = 86_400;

function stringOrNull(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** OpenAI's error shapes and the usual variants of OpenAI-compatible servers and gateways. */
function openAIWireError(parsed: unknown): OpenAIErrorBody | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const body = parsed as { error?: unknown; message?: unknown; type?: unknown; code?: unknown };
  const e = body.error;
  if (typeof e === 'object' && e !== null && !Array.isArray(e)) {
    const o = e as Record<string, unknown>;
    if (typeof o.message !== 'string' || o.message === '') return undefined;
    return { error: { message: o.message, type: typeof o.type === 'string' ? o.type : 'upstream_error', param: stringOrNull(o.param), code: stringOrNull(o.code) } };
  }
  if (typeof e === 'string' && e !== '') return openAIError(e, 'upstream_error');
  // Azure API Management and several gateways: `{"statusCode": 401, "message": "..."}`.
  if (typeof body.message === 'string' && body.message !== '') return openAIError(body.message, typeof body.type === 'string' ? body.type : 'upstream_error', stringOrNull(body.code));
  return undefined;
}

/**
 * An upstream error body in OpenAI's shape, unsanitised: each wire format's own converter
 * (Anthropic's, Gemini's, in their folders) first, then OpenAI's shapes; a body that is not
 * JSON gives its text, or a generic message for HTML pages.
 */
export function upstreamErrorToOpenAI(adapter: ProviderAdapter, status: number, text: string): OpenAIErrorBody {
  const generic = openAIError(`upstream error (status ${status})`, 'upstream_error');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const t = text.trim();
    return t === '' || t.startsWith('<') ? generic : openAIError(t.slice(0, TEXT_EXCERPT), 'upstream_error');
  }
  const native = adapter.wireFormat === 'anthropic' ? anthropicErrorToOpenAI(parsed) : adapter.wireFormat === 'gemini' ? geminiErrorToOpenAI(parsed) : undefined;
  return native ?? openAIWireError(parsed) ?? generic;
}

/**
 * Seconds to wait from `retry-after-ms` (OpenAI, more precise) or `retry-after` (seconds or an
 * HTTP date); null when absent or unreadable.
 */
export function retryAfterSecondsOf(headers: UpstreamErrorReply['headers'], now: number = Date.now()): number | null {
  const one = (name: string): string | undefined => {
    const v = headers?.[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const clamp = (s: number) => Math.min(MAX_RETRY_AFTER, Math.max(0, Math.ceil(s)));
  const ms = one('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return clamp(Number(ms) / 1000);
  const ra = one('retry-after')?.trim();
  if (!ra) return null;
  if (/^\d+(\.\d+)?$/.test(ra)) return clamp(Number(ra));
  const at = Date.parse(ra);
  return Number.isNaN(at) ? null : clamp((at - now) / 1000);
}

/** Identifiers (type, code, param) pass when they look like identifiers and hold nothing sanitising would remove. */
function identifier(v: string | null, fallback: string | null, secrets: readonly string[] = []): string | null {
  return v !== null && /^[\w.:[\]-]{1,64}$/.test(v) && sanitizeUpstreamText(v, secrets) === v ? v : fallback;
}

function sanitizeError(e: OpenAIErrorObject, secrets: readonly string[]): OpenAIErrorObject {
  return {
    message: sanitizeUpstreamText(e.message, secrets),
    type: identifier(e.type, 'upstream_error', secrets) ?? 'upstream_error',
    param: identifier(e.param, null, secrets),
    code: identifier(e.code, null, secrets),
  };
}

function verdict(kind: UpstreamErrorKind, status: number, error: OpenAIErrorObject, upstream: OpenAIErrorObject, extra: Partial<UpstreamErrorVerdict> = {}): UpstreamErrorVerdict {
  const caller = kind === 'caller';
  return { kind, retry: !caller, coolChannel: !caller, disableChannel: false, status, error, retryAfterSeconds: null, upstream, ...extra };
}

const upstreamError = (message: string, code: string | null): OpenAIErrorObject => ({ message, type: 'upstream_error', param: null, code });

/**
 * The verdict on an upstream's non-2xx reply (SPEC 13):
 *
 * | upstream                                   | retry | cool | disable | client gets                                   |
 * |--------------------------------------------|-------|------|---------|-----------------------------------------------|
 * | 400 404 409 413 415 422 (caller's mistake)  | no    | no   | no      | same status, upstream's message/type/param/code |
 * | 401 402 403, 429 insufficient_quota, any   | yes   | yes  | yes     | 502 `upstream_auth_error`, generic message    |
 * |   `isDisablingFailure` (revoked Gemini key) |       |      |         |                                               |
 * | 429                                        | yes   | yes  | no      | 429 `upstream_rate_limited` + Retry-After     |
 * | 408, 504                                   | yes   | yes  | no      | 504 `upstream_timeout`                        |
 * | 503, 529 (overloaded)                      | yes   | yes  | no      | 503 `upstream_overloaded` + Retry-After       |
 * | other (500, 502, unexpected 4xx)           | yes   | yes  | no      | 502 `upstream_error`                          |
 *
 * Messages are always sanitised (`sanitizeUpstreamText`). 503 and 504 keep their meaning rather
 * than collapsing into 502: our own first-byte timeout is a 504 and "all channels busy" a 503
 * with Retry-After, so a client (or a dashboard) can tell an overloaded or slow upstream from a
 * broken one, and honour the upstream's Retry-After; every SDK retries all three alike.
 */
export function classifyUpstreamError(adapter: ProviderAdapter, reply: UpstreamErrorReply): UpstreamErrorVerdict {
  const { status } = reply;
  const secrets = reply.secrets ?? [];
  const raw = upstreamErrorToOpenAI(adapter, status, reply.text).error;
  const upstream = sanitizeError(raw, secrets);
  if (status === 401 || status === 402 || status === 403 || isDisablingFailure({ status, type: raw.type, code: raw.code ?? undefined, message: raw.message })) {
    return verdict('credentials', 502, upstreamError(CREDENTIALS_MESSAGE, 'upstream_auth_error'), upstream, { disableChannel: true });
  }
  if (status === 429) {
    return verdict('rate_limit', 429, { ...upstream, type: 'rate_limit_error', code: 'upstream_rate_limited' }, upstream, { retryAfterSeconds: retryAfterSecondsOf(reply.headers) });
  }
  if (CALLER_MISTAKE_STATUSES.has(status)) {
    return verdict('caller', status, { ...upstream, type: upstream.type === 'upstream_error' ? 'invalid_request_error' : upstream.type }, upstream);
  }
  if (status === 408 || status === 504) return verdict('timeout', 504, upstreamError(upstream.message, 'upstream_timeout'), upstream);
  if (status === 503 || status === 529) {
    return verdict('overloaded', 503, upstreamError(upstream.message, 'upstream_overloaded'), upstream, { retryAfterSeconds: retryAfterSecondsOf(reply.headers) });
  }
  return verdict('server', 502, upstreamError(upstream.message, 'upstream_error'), upstream);
}

function isTimeout(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return err.name === 'TimeoutError' || (typeof code === 'string' && /TIMEOUT|TIMEDOUT/i.test(code));
}

/**
 * The verdict when no usable reply arrived: no response (refused, reset, DNS, connect or
 * first-byte timeout) or, with `afterHead`, a 2xx body that broke off. Always retry elsewhere
 * and cool, never disable; the client gets 504 `upstream_timeout` or 502 with a generic message
 * (`upstream.message` keeps the sanitised cause, e.g. "connect ECONNREFUSED [ip]").
 */
export function classifyTransportError(err: Error, opts: { afterHead?: boolean; secrets?: readonly string[] } = {}): UpstreamErrorVerdict {
  const code = (err as { code?: unknown }).code;
  const upstream = upstreamError(sanitizeUpstreamText(err.message || 'request failed', opts.secrets ?? []), typeof code === 'string' ? identifier(code, null) : null);
  if (isTimeout(err)) return verdict('timeout', 504, upstreamError('the upstream did not answer in time', 'upstream_timeout'), upstream);
  if (opts.afterHead) return verdict('bad_reply', 502, upstreamError('the upstream reply broke off', 'upstream_error'), upstream);
  return verdict('unreachable', 502, upstreamError('the upstream could not be reached', 'upstream_unreachable'), upstream);
}

/** The verdict on a 2xx reply that could not be read (not JSON, not the provider's shape). */
export function classifyUnreadableReply(reason: string, secrets: readonly string[] = []): UpstreamErrorVerdict {
  const upstream = upstreamError(sanitizeUpstreamText(reason, secrets), 'upstream_error');
  return verdict('bad_reply', 502, upstreamError('the upstream reply could not be read', 'upstream_error'), upstream);
}
