import type { ServiceRuntime } from '@oneapi/platform';
import { CODE_MAX_ATTEMPTS, CODE_VALID_MINUTES, VerificationCodes, codeSubject } from './verification-codes';

describe('VerificationCodes (memory)', () => {
  const runtime = { redis: null } as unknown as ServiceRuntime;

  it('accepts the issued code once, for its purpose and subject only, until it expires', async () => {
    let now = 1_000_000;
    const codes = new VerificationCodes(runtime);
    codes.now = () => now;
    const subject = codeSubject.register('A@Example.com');
    await codes.issue('register', subject, 'abc123');
    expect(await codes.redeem('bind', subject, 'abc123')).toBe(false);
    expect(await codes.redeem('reset', subject, 'abc123')).toBe(false);
    expect(await codes.redeem('register', codeSubject.register('b@example.com'), 'abc123')).toBe(false);
    expect(await codes.redeem('register', codeSubject.register('a@example.com'), 'abc123')).toBe(true);
    expect(await codes.redeem('register', subject, 'abc123')).toBe(false);

    await codes.issue('register', subject, 'xyz789');
    now += CODE_VALID_MINUTES * 60_000;
    expect(await codes.redeem('register', subject, 'xyz789')).toBe(false);
  });

  it('binds a bind code to the user, the session epoch and the address', async () => {
    const codes = new VerificationCodes(runtime);
    await codes.issue('bind', codeSubject.bind(7, 0, 'x@example.com'), 'tok');
    expect(await codes.redeem('bind', codeSubject.bind(8, 0, 'x@example.com'), 'tok')).toBe(false);
    expect(await codes.redeem('bind', codeSubject.bind(7, 1, 'x@example.com'), 'tok')).toBe(false);
    expect(await codes.redeem('bind', codeSubject.bind(7, 0, 'y@example.com'), 'tok')).toBe(false);
    expect(await codes.redeem('bind', codeSubject.bind(7, 0, 'X@example.com'), 'tok')).toBe(true);
  });

  it(`burns a code after ${CODE_MAX_ATTEMPTS} wrong guesses; a new mail replaces the old code`, async () => {
    const codes = new VerificationCodes(runtime);
    const subject = codeSubject.reset(3, 0);
    await codes.issue('reset', subject, 'right');
    for (let i = 0; i < CODE_MAX_ATTEMPTS; i++) expect(await codes.redeem('reset', subject, `wrong${i}`)).toBe(false);
    expect(await codes.redeem('reset', subject, 'right')).toBe(false);
    await codes.issue('reset', subject, 'first');
    await codes.issue('reset', subject, 'second');
    expect(await codes.redeem('reset', subject, 'first')).toBe(false);
    expect(await codes.redeem('reset', subject, 'second')).toBe(true);
  });
});
