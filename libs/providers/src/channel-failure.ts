/** An upstream error as a channel test saw it. */
export interface UpstreamFailure {
  /** HTTP status; 0 when no response arrived (connection refused, timeout). */
  status: number;
  type?: string;
  code?: string;
  message: string;
}

/** Statuses that mean "the caller's own request is wrong" (SPEC 13): never a reason to cool or disable. */
export const CALLER_MISTAKE_STATUSES: ReadonlySet<number> = new Set([400, 404, 409, 413, 415, 422]);

const DISABLING_TYPES = ['insufficient_quota', 'authentication_error', 'permission_error', 'forbidden', 'billing_error'];
const DISABLING_CODES = ['invalid_api_key', 'account_deactivated', 'insufficient_quota', 'billing_hard_limit_reached'];

// One API's monitor.ShouldDisableChannel message fragments (monitor/manage.go), split by how
// specific they are. These name an account-level problem whatever else the message says:
const ACCOUNT_MESSAGES = [
  'your access was terminated',
  'your credit balance is too low', // Anthropic answers this with a 400
  'exceeded your current quota',
  'organization has been disabled',
  'organization has been restricted', // Groq
  'api key not valid', // Gemini answers a revoked key with a 400 API_KEY_INVALID
  'api key expired',
  'incorrect api key',
  'invalid api key',
  '已欠费',
];
// ...while these single words also turn up in ordinary messages: a 400 may quote the caller's
// own input ("balance", "credit"), and OpenAI's plain rate-limit 429 advertises its billing page.
// They count only for statuses that are neither the caller's mistake nor a rate limit.
const LOOSE_MESSAGES = ['violation of our policies', 'credit', 'balance', 'billing', 'permission denied'];

/**
 * Whether an upstream error means the channel's account is unusable (authentication or billing),
 * so an automatic disable is warranted. 401, 402 and 403 always do. Server errors (5xx) and
 * network failures are transient and never do. A 429 does only when it says the quota is gone
 * (OpenAI's `insufficient_quota`), not for a plain rate limit; a 400-class caller mistake only
 * when the provider names the key or the account (Gemini's invalid key, Anthropic's credit).
 */
export function isDisablingFailure(f: UpstreamFailure): boolean {
  if (f.status === 401 || f.status === 402 || f.status === 403) return true;
  if (f.status === 0 || f.status >= 500) return false;
  if (DISABLING_TYPES.includes(f.type ?? '')) return true;
  if (DISABLING_CODES.includes(f.code ?? '')) return true;
  const message = f.message.toLowerCase();
  if (ACCOUNT_MESSAGES.some((m) => message.includes(m))) return true;
  if (f.status === 429 || CALLER_MISTAKE_STATUSES.has(f.status)) return false;
  return LOOSE_MESSAGES.some((m) => message.includes(m));
}
