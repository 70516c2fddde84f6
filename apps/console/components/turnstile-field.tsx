'use client';
import { Turnstile } from '@marsidev/react-turnstile';
import { useStatus } from '@/lib/hooks';

/**
 * Cloudflare Turnstile widget when the operator enabled it (`turnstile_check` in status); reports
 * the token, which the API expects as `?turnstile=` on login, register, verification and reset.
 */
export function TurnstileField({ onToken }: { onToken: (token: string) => void }) {
  const { data: status } = useStatus();
  if (!status?.turnstile_check || !status.turnstile_site_key) return null;
  return (
    <div style={{ marginBottom: 16 }}>
      <Turnstile siteKey={status.turnstile_site_key} onSuccess={onToken} onExpire={() => onToken('')} onError={() => onToken('')} />
    </div>
  );
}

/** True when a Turnstile token is required but not yet obtained. */
export function useTurnstileMissing(token: string): boolean {
  const { data: status } = useStatus();
  return !!status?.turnstile_check && !!status.turnstile_site_key && !token;
}
