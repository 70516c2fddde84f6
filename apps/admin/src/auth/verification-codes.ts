import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

/**
 * What a code was mailed for. A code serves only its own purpose: a registration code cannot
 * bind an address to a signed-in account, a bind code cannot register or reset.
 */
export type CodePurpose = 'register' | 'bind' | 'reset';

/** One API's VerificationValidMinutes. */
export const CODE_VALID_MINUTES = 10;
/** Wrong guesses a code survives; the next one burns it (the owner asks for a new mail). */
export const CODE_MAX_ATTEMPTS = 5;

/**
 * Who a code belongs to, so it is only accepted from there: the address for a registration
 * (nobody is signed in yet), the signed-in user and session epoch plus the address for a bind,
 * the account and its session epoch for a reset (a password change meanwhile kills the link).
 */
export const codeSubject = {
  register: (email: string) => email.trim().toLowerCase(),
  bind: (userId: number, epoch: number, email: string) => `${userId}:${epoch}:${email.trim().toLowerCase()}`,
  reset: (userId: number, epoch: number) => `${userId}:${epoch}`,
};

const digest = (code: string) => createHash('sha256').update(code).digest('hex');

/** Atomic check-and-consume in Redis: a match deletes the code, a miss counts towards burning it. */
const REDEEM_SCRIPT = `
local h = redis.call('HGET', KEYS[1], 'h')
if not h then return 0 end
if h == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
if redis.call('HINCRBY', KEYS[1], 'a', 1) >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Short-lived, single-use codes mailed for registration, binding and password reset, keyed by
 * purpose and subject ({@link codeSubject}). Only a hash is stored. Redis in distributed mode
 * (any replica can check a code another one mailed), memory otherwise.
 */
@Injectable()
export class VerificationCodes {
  private readonly memory = new Map<string, { hash: string; expiresAt: number; attempts: number }>();
  /** Clock, replaceable in unit specs. */
  now: () => number = Date.now;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  private key(purpose: CodePurpose, subject: string) {
    return `oneapi:code:${purpose}:${subject}`;
  }

  /** Stores a new code for the subject, replacing any earlier one. */
  async issue(purpose: CodePurpose, subject: string, code: string): Promise<void> {
    const key = this.key(purpose, subject);
    const ttlMs = CODE_VALID_MINUTES * 60_000;
    if (this.runtime.redis) {
      await this.runtime.redis.multi().del(key).hset(key, 'h', digest(code), 'a', '0').pexpire(key, ttlMs).exec();
      return;
    }
    this.prune();
    this.memory.set(key, { hash: digest(code), expiresAt: this.now() + ttlMs, attempts: 0 });
  }

  /**
   * True once for the right code (it is consumed in the same step, so two concurrent requests
   * cannot both use it); false for anything else, and a code guessed wrong CODE_MAX_ATTEMPTS
   * times is gone.
   */
  async redeem(purpose: CodePurpose, subject: string, code: string): Promise<boolean> {
    if (!subject || !code) return false;
    const key = this.key(purpose, subject);
    if (this.runtime.redis) {
      return (await this.runtime.redis.eval(REDEEM_SCRIPT, 1, key, digest(code), String(CODE_MAX_ATTEMPTS))) === 1;
    }
    const entry = this.memory.get(key);
    if (!entry || entry.expiresAt <= this.now()) return false;
    if (entry.hash === digest(code)) {
      this.memory.delete(key);
      return true;
    }
    if (++entry.attempts >= CODE_MAX_ATTEMPTS) this.memory.delete(key);
    return false;
  }

  private prune() {
    const t = this.now();
    for (const [k, v] of this.memory) if (v.expiresAt <= t) this.memory.delete(k);
  }
}
