import { consoleForwardedKey, signConsoleForwarded, verifyConsoleForwarded } from './console-forwarded';

describe('console-forwarded header', () => {
  const key = consoleForwardedKey('0123456789abcdef0123456789abcdef-spec');
  const now = 1_800_000_000;
  const payload = { for: '198.51.100.7, 10.0.0.5', proto: 'https', scheme: 'http', t: now };

  it('round-trips a signed payload', () => {
    expect(verifyConsoleForwarded(key, signConsoleForwarded(key, payload), now + 10)).toEqual(payload);
  });

  it('is absent without the header and invalid when anything was changed or the key differs', () => {
    expect(verifyConsoleForwarded(key, undefined, now)).toBeNull();
    const good = signConsoleForwarded(key, payload);
    const [body, sig] = good.split('.') as [string, string];
    const tampered = Buffer.from(JSON.stringify({ ...payload, for: '203.0.113.1' })).toString('base64url');
    expect(verifyConsoleForwarded(key, `${tampered}.${sig}`, now)).toBe('invalid');
    expect(verifyConsoleForwarded(key, `${body}.${sig}.x`, now)).toBe('invalid');
    expect(verifyConsoleForwarded(key, body, now)).toBe('invalid');
    expect(verifyConsoleForwarded(consoleForwardedKey('another-secret-of-enough-length-000'), good, now)).toBe('invalid');
  });

  it('refuses a signature older or newer than five minutes (a replayed header)', () => {
    const good = signConsoleForwarded(key, payload);
    expect(verifyConsoleForwarded(key, good, now + 301)).toBe('invalid');
    expect(verifyConsoleForwarded(key, good, now - 301)).toBe('invalid');
  });
});
