import type { Logger } from 'pino';
import { RelayLedger, type Database, type RelayLogRow } from '@oneapi/data';
import type { RelayAuthService, RelayCaller } from '../auth/relay-auth.service';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

/** A reservation this process holds (kept so long requests can extend it and shutdown can count it). */
interface Held {
  caller: RelayCaller;
  amount: number;
  tokenCharged: boolean;
  extendedAt: number;
}

/**
 * Reserve-then-settle against token and user (SPEC sections 6 and 13) through the ledger: each
 * admitted request holds a durable reservation keyed by its request id until its settlement (or
 * release) deletes it in the transaction that bills it. The cached copies of token and user
 * follow the same deltas so the next request's cached view stays close to the database.
 */
export class QuotaService {
  private readonly ledger: RelayLedger;
  private readonly held = new Map<string, Held>();
  private readonly extender: NodeJS.Timeout;

  constructor(
    db: Database,
    private readonly auth: RelayAuthService,
    private readonly logger: Logger,
    private readonly ttlMs: number,
  ) {
    this.ledger = RelayLedger.open(db, {
      ttlMs,
      onRetry: (error) => logger.warn({ err: (error as Error).message }, 'settlement not written yet; retrying'),
    });
    // Requests that run longer than a third of the TTL get their reservation pushed forward.
    this.extender = setInterval(() => void this.extendLongRunning(), Math.max(1_000, Math.floor(ttlMs / 3)));
    this.extender.unref();
  }

  /** Whether consume log rows are written by the settlement itself (same database). */
  get logsInline(): boolean {
    return this.ledger.logsInline;
  }

  /**
   * Reserves `amount` for request `requestId` on the token, then the user; 403 with the exhausted
   * side's code when short, 503 when the database cannot be reached within about a second.
   */
  async reserve(caller: RelayCaller, requestId: string, amount: number): Promise<void> {
    const tokenCharged = !caller.token.unlimitedQuota && amount > 0;
    let result;
    try {
      result = await this.ledger.reserve({ requestId, tokenId: caller.token.id, userId: caller.user.id, amount, tokenUnlimited: caller.token.unlimitedQuota });
    } catch (error) {
      this.logger.error({ request_id: requestId, err: (error as Error).message }, 'reservation failed: database unavailable');
      // The outcome of a group that failed mid-flight is unknown: a release (idempotent) undoes it if it landed.
      this.release(caller, requestId, amount, tokenCharged, false);
      throw new RelayException(RelayErrorCode.ServiceUnavailable, 'the service is temporarily unavailable, please retry', null, null, 1);
    }
    if (result === 'token') {
      throw new RelayException(RelayErrorCode.InsufficientTokenQuota, 'the remaining quota of this API key is not enough for this request');
    }
    if (result === 'user') throw new RelayException(RelayErrorCode.InsufficientUserQuota, 'your remaining quota is not enough for this request');
    this.held.set(requestId, { caller, amount, tokenCharged, extendedAt: Date.now() });
    this.track(caller, amount);
  }

  /** Gives a whole reservation back (the request failed before anything billable happened). */
  async refund(caller: RelayCaller, requestId: string): Promise<void> {
    const h = this.held.get(requestId);
    if (!h) return;
    this.held.delete(requestId);
    await this.release(caller, requestId, h.amount, h.tokenCharged, true);
  }

  /**
   * Settles a finished request: both balances move by (reserved − cost), cost is added to the used
   * counters and the log row is written, in one transaction that also deletes the reservation.
   * Resolves once that is durable; false when the reservation was already gone (nothing changed).
   */
  async settle(caller: RelayCaller, requestId: string, cost: number, channelId: number, log: RelayLogRow): Promise<boolean> {
    const h = this.held.get(requestId);
    if (!h) return false;
    this.held.delete(requestId);
    this.track(caller, cost - h.amount);
    const result = await this.ledger.settle({
      requestId,
      tokenId: caller.token.id,
      userId: caller.user.id,
      amount: h.amount,
      tokenCharged: h.tokenCharged,
      channelId,
      cost,
      countRequest: true,
      log,
    });
    return result === 'settled';
  }

  /** Reservations this process still holds. */
  get inFlight(): number {
    return this.held.size;
  }

  /** Writes what is queued (up to the deadline); what is left is released later by the sweeper. */
  async close(deadlineMs: number): Promise<void> {
    clearInterval(this.extender);
    await this.ledger.close(deadlineMs);
  }

  private release(caller: RelayCaller, requestId: string, amount: number, tokenCharged: boolean, tracked: boolean): Promise<void> {
    if (tracked) this.track(caller, -amount);
    const done = this.ledger.settle({ requestId, tokenId: caller.token.id, userId: caller.user.id, amount, tokenCharged, channelId: 0, cost: 0, countRequest: false, log: null });
    return done.then(
      () => undefined,
      (error: Error) => this.logger.error({ request_id: requestId, err: error.message }, 'release not written; the sweeper will release it'),
    );
  }

  private async extendLongRunning(): Promise<void> {
    const now = Date.now();
    const due: string[] = [];
    for (const [id, h] of this.held) {
      if (now - h.extendedAt >= this.ttlMs / 3) {
        due.push(id);
        h.extendedAt = now;
      }
    }
    if (due.length === 0) return;
    try {
      await this.ledger.extend(due);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, reservations: due.length }, 'could not extend running reservations');
    }
  }

  private track(caller: RelayCaller, spent: number): void {
    if (spent === 0) return;
    const t = caller.token;
    this.auth.tokens.update(t.key, (c) => {
      if (!c.unlimitedQuota) c.remainQuota -= spent;
    });
    this.auth.users.update(String(caller.user.id), (u) => {
      u.quota -= spent;
    });
  }
}
