import type { ServiceRuntime } from '@oneapi/platform';
import { CODE_VALID_MINUTES, VerificationCodes } from './verification-codes';

describe('VerificationCodes (memory)', () => {
  const runtime = { redis: null } as unknown as ServiceRuntime;

  it('accepts the issued code for its purpose and address only, until it expires', async () => {
    let now = 1_000_000;
    const codes = new VerificationCodes(runtime);
    codes.now = () => now;
    await codes.issue('email_verification', 'A@Example.com', 'abc123');
    expect(await codes.verify('email_verification', 'a@example.com', 'abc123')).toBe(true);
    expect(await codes.verify('email_verification', 'a@example.com', 'abc124')).toBe(false);
    expect(await codes.verify('password_reset', 'a@example.com', 'abc123')).toBe(false);
    expect(await codes.verify('email_verification', 'b@example.com', 'abc123')).toBe(false);
    now += CODE_VALID_MINUTES * 60_000 - 1;
    expect(await codes.verify('email_verification', 'a@example.com', 'abc123')).toBe(true);
    now += 1;
    expect(await codes.verify('email_verification', 'a@example.com', 'abc123')).toBe(false);
  });

  it('forgets a consumed code', async () => {
    const codes = new VerificationCodes(runtime);
    await codes.issue('password_reset', 'x@example.com', 'tok');
    await codes.consume('password_reset', 'x@example.com');
    expect(await codes.verify('password_reset', 'x@example.com', 'tok')).toBe(false);
  });
});
