import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

export type CodePurpose = 'email_verification' | 'password_reset';

/** One API's VerificationValidMinutes. */
export const CODE_VALID_MINUTES = 10;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Short-lived codes mailed for email verification and password reset, keyed by purpose and
 * address. Redis in distributed mode (any replica can check a code another one mailed), memory
 * otherwise. Codes expire after CODE_VALID_MINUTES.
 */
@Injectable()
export class VerificationCodes {
  private readonly memory = new Map<string, { code: string; expiresAt: number }>();

  /** Clock, replaceable in unit specs. */
  now: () => number = Date.now;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  private key(purpose: CodePurpose, email: string) {
    return `oneapi:code:${purpose}:${email.toLowerCase()}`;
  }

  async issue(purpose: CodePurpose, email: string, code: string): Promise<void> {
    const key = this.key(purpose, email);
    const ttlMs = CODE_VALID_MINUTES * 60_000;
    if (this.runtime.redis) {
      await this.runtime.redis.set(key, code, 'PX', ttlMs);
      return;
    }
    this.prune();
    this.memory.set(key, { code, expiresAt: this.now() + ttlMs });
  }

  async verify(purpose: CodePurpose, email: string, code: string): Promise<boolean> {
    if (!email || !code) return false;
    const key = this.key(purpose, email);
    if (this.runtime.redis) {
      const stored = await this.runtime.redis.get(key);
      return stored !== null && same(stored, code);
    }
    const entry = this.memory.get(key);
    if (!entry || entry.expiresAt <= this.now()) return false;
    return same(entry.code, code);
  }

  /** Makes a used code unusable. */
  async consume(purpose: CodePurpose, email: string): Promise<void> {
    const key = this.key(purpose, email);
    if (this.runtime.redis) await this.runtime.redis.del(key);
    else this.memory.delete(key);
  }

  private prune() {
    const t = this.now();
    for (const [k, v] of this.memory) if (v.expiresAt <= t) this.memory.delete(k);
  }
}
