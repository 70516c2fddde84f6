/** An upstream error as a channel test saw it. */
export interface UpstreamFailure {
  /** HTTP status; 0 when no response arrived (connection refused, timeout). */
  status: number;
  type?: string;
  code?: string;
  message: string;
}

// One API's monitor.ShouldDisableChannel message fragments (monitor/manage.go): account-level
// problems that retrying will not fix.
const DISABLING_MESSAGES = [
  'your access was terminated',
  'violation of our policies',
  'your credit balance is too low',
  'organization has been disabled',
  'organization has been restricted',
  'credit',
  'balance',
  'billing',
  'permission denied',
  'api key not valid',
  'api key expired',
  'incorrect api key',
  'invalid api key',
  '已欠费',
];

/**
 * Whether an upstream error means the channel's account is unusable (authentication or billing),
 * so an automatic disable is warranted. Server errors (5xx) and network failures are transient
 * and never disable; a 429 disables only when it says the quota is gone (OpenAI's
 * `insufficient_quota`), not for a plain rate limit.
 */
export function isDisablingFailure(f: UpstreamFailure): boolean {
  if (f.status === 401 || f.status === 403) return true;
  if (f.status === 0 || f.status >= 500) return false;
  if (['insufficient_quota', 'authentication_error', 'permission_error', 'forbidden', 'billing_error'].includes(f.type ?? '')) return true;
  if (['invalid_api_key', 'account_deactivated', 'insufficient_quota', 'billing_hard_limit_reached'].includes(f.code ?? '')) return true;
  const message = f.message.toLowerCase();
  return DISABLING_MESSAGES.some((m) => message.includes(m));
}
