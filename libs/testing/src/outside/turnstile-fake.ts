import { sendJson, startHttpFake, type RunningFake } from './http-fake';

export interface TurnstileFake extends RunningFake {
  secret: string;
  /** The siteverify URL to set as TURNSTILE_VERIFY_URL. */
  verifyUrl: string;
  /** A response token the fake will accept (each once, as Cloudflare does). */
  allow(token: string): void;
}

/**
 * Cloudflare Turnstile's siteverify endpoint: `POST /turnstile/v0/siteverify` with form or JSON
 * `{secret, response, remoteip}` → `{success, "error-codes"}`.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
export async function startTurnstileFake(opts: { secret?: string } = {}): Promise<TurnstileFake> {
  const secret = opts.secret ?? 'fake-turnstile-secret';
  const valid = new Set<string>();
  const fake = await startHttpFake((req, res) => {
    if (req.method !== 'POST' || req.path !== '/turnstile/v0/siteverify') return sendJson(res, 404, { success: false });
    let body: Record<string, string>;
    try {
      body = req.headers['content-type']?.includes('json') ? JSON.parse(req.body) : Object.fromEntries(new URLSearchParams(req.body));
    } catch {
      return sendJson(res, 400, { success: false, 'error-codes': ['bad-request'] });
    }
    if (body['secret'] !== secret) return sendJson(res, 200, { success: false, 'error-codes': ['invalid-input-secret'] });
    const token = body['response'] ?? '';
    if (!valid.has(token)) return sendJson(res, 200, { success: false, 'error-codes': ['invalid-input-response'] });
    valid.delete(token);
    sendJson(res, 200, { success: true, 'error-codes': [], challenge_ts: new Date().toISOString(), hostname: 'localhost' });
  });
  return { ...fake, secret, verifyUrl: `${fake.url}/turnstile/v0/siteverify`, allow: (t) => void valid.add(t) };
}
