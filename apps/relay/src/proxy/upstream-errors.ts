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

const DISABLE_TYPES = new Set(['insufficient_quota', 'authentication_error', 'permission_error', 'forbidden']);
const DISABLE_CODES = new Set(['invalid_api_key', 'account_deactivated', 'billing_not_active']);
const DISABLE_MESSAGES = [
  'Your credit balance is too low',
  'This organization has been disabled.',
  'You exceeded your current quota',
  'Permission denied',
  'The security token included in the request is invalid',
  'Operation not allowed',
  'Your account is not authorized',
];

/**
 * Whether an upstream error means the channel's key is dead (One API's
 * monitor.ShouldDisableChannel: 401, billing and deactivation errors), not a transient fault.
 */
export function shouldDisableChannel(status: number, e: UpstreamErrorObject): boolean {
  if (status === 401) return true;
  if (DISABLE_TYPES.has(e.type)) return true;
  if (e.code !== null && DISABLE_CODES.has(e.code)) return true;
  return DISABLE_MESSAGES.some((m) => e.message.includes(m));
}
