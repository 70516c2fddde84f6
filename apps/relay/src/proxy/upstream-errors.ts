import { isDisablingFailure } from '@oneapi/providers';

/** OpenAI's error object as the relay passes an upstream's error on. */
export interface UpstreamErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/**
 * The error object of an upstream error reply: OpenAI's `{error:{...}}` when present, else a
 * generic message with the status (the raw body may carry upstream internals, so it is not echoed).
 */
export function upstreamErrorOf(status: number, text: string): UpstreamErrorObject {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const e = parsed.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return {
        message: typeof o.message === 'string' && o.message !== '' ? o.message : `upstream error (status ${status})`,
        type: typeof o.type === 'string' ? o.type : 'upstream_error',
        param: typeof o.param === 'string' ? o.param : null,
        code: typeof o.code === 'string' ? o.code : o.code === undefined || o.code === null ? null : String(o.code),
      };
    }
    if (typeof e === 'string') return { message: e, type: 'upstream_error', param: null, code: null };
    if (typeof parsed.message === 'string') return { message: parsed.message, type: 'upstream_error', param: null, code: null };
  } catch {
    /* not JSON */
  }
  return { message: `upstream error (status ${status})`, type: 'upstream_error', param: null, code: null };
}

/**
 * Whether an upstream error means the channel's key is dead (authentication, billing,
 * deactivation), not a transient fault. One rule set for the relay and the channel tests:
 * `isDisablingFailure` in libs/providers.
 */
export function shouldDisableChannel(status: number, e: UpstreamErrorObject): boolean {
  return isDisablingFailure({ status, type: e.type, code: e.code ?? undefined, message: e.message });
}
