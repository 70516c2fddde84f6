import type { LeaseStore, RedisClient } from '@oneapi/cache';
import type { RedisGate } from '@oneapi/platform';
import { LEASE_TTL_MS } from '../pipeline/admission';
import { FallbackRateWindows, RedisRateWindows, type RateWindows, type WindowAdjust, type WindowWant } from './rate-windows';

/** A channel's capacity as the operator set it (0 = unlimited). */
export interface ChannelLimits {
  id: number;
  /** Requests in flight at once, across all relays. */
  maxConcurrency: number;
  /** Requests per minute. */
  rpm: number;
  /** Prompt + completion tokens per minute. */
  tpm: number;
}

/** What one attempt holds on a channel until it ends. */
export interface CapacityHold {
  readonly leaseId: string;
  /** The concurrency lease's key; null when the channel has no concurrency cap. */
  readonly lease: string | null;
  /** The per-minute budgets charged, in the store that took them; null when the channel has no rates. */
  readonly rates: { store: RateWindows; rpm: WindowWant | null; tpm: WindowWant | null } | null;
  ended: boolean;
}

/** Whether a channel has any capacity limit; one without costs the hot path nothing. */
export function hasCapacityLimits(c: ChannelLimits): boolean {
  return c.maxConcurrency > 0 || c.rpm > 0 || c.tpm > 0;
}

/**
 * Per-channel capacity (issue 12): concurrency through the relay's lease store (the one the
 * caller caps use, so a relay that dies frees its slots after the lease TTL) and RPM/TPM through
 * GCRA budgets; both in Redis across relays in distributed mode, in this process otherwise or
 * while Redis is away. An attempt takes all of a channel's limits at once or none, in one round
 * trip (the lease and the budgets are asked concurrently), and ends them in one more.
 *
 * TPM is charged with the admission estimate (prompt + max_tokens) and corrected when the
 * attempt ends to what was billed; an attempt that produced nothing gives its tokens back, and
 * keeps its request (the upstream saw it). A hold that was never used gives everything back.
 */
export class ChannelCapacity {
  private prefix = 'channel';
  private readonly windows: FallbackRateWindows;
  private readonly running = new Map<string, { key: string; renewedAt: number }>();
  private readonly renewer: NodeJS.Timeout;

  constructor(
    private readonly leases: LeaseStore,
    redis: RedisClient | null,
    onFallback: (error: unknown) => void = () => undefined,
    gate?: RedisGate,
  ) {
    const remote = redis ? new RedisRateWindows(redis) : null;
    // Behind the breaker, a hanging Redis costs the first request its budget, not every request.
    this.windows = new FallbackRateWindows(remote && gate ? { take: (w, now) => gate.run(() => remote.take(w, now)), adjust: (c, now) => remote.adjust(c, now) } : remote, onFallback);
    this.renewer = setInterval(() => this.renewLongRunning(), LEASE_TTL_MS / 3);
    this.renewer.unref();
  }

  /** Key namespace (`channel:<id>`); tests use one per run, as the rate limiter does. */
  set keyPrefix(prefix: string) {
    this.prefix = prefix;
  }

  get keyPrefix(): string {
    return this.prefix;
  }

  /**
   * Takes room for one attempt on `channel`; `tokens` is the request's estimate for TPM. Returns
   * the hold, or the seconds until the channel may have room (Retry-After): 1 for a full
   * concurrency cap, the time until enough of the budget refills for RPM/TPM.
   */
  async take(requestId: string, channel: ChannelLimits, tokens: number): Promise<CapacityHold | number> {
    const leaseId = `${requestId}:${channel.id}`;
    const lease = channel.maxConcurrency > 0 ? `${this.prefix}:${channel.id}` : null;
    const rpm = channel.rpm > 0 ? { key: `${this.prefix}:${channel.id}:rpm`, limit: channel.rpm, cost: 1 } : null;
    // A request larger than the whole budget could otherwise never pass: it may use a full minute.
    const tpm = channel.tpm > 0 ? { key: `${this.prefix}:${channel.id}:tpm`, limit: channel.tpm, cost: Math.max(1, Math.min(Math.ceil(tokens), channel.tpm)) } : null;
    const wants: WindowWant[] = [];
    if (rpm) wants.push(rpm);
    if (tpm) wants.push(tpm);
    const now = Date.now();
    const [full, rates] = await Promise.all([
      lease ? this.leases.acquire(leaseId, [{ key: lease, limit: channel.maxConcurrency }]) : -1,
      wants.length ? this.windows.take(wants, now) : null,
    ]);
    if (full === -1 && (!rates || rates.waitMs === 0)) {
      if (lease) this.running.set(leaseId, { key: lease, renewedAt: now });
      return { leaseId, lease, rates: rates && { store: rates.store, rpm, tpm }, ended: false };
    }
    // Refused by one side: give back what the other took.
    if (lease && full === -1) void this.leases.release(leaseId, [lease]);
    if (rates && rates.waitMs === 0) void this.windows.adjust(rates.store, wants.map((w) => ({ key: w.key, limit: w.limit, delta: -w.cost })), now);
    return Math.max(1, full !== -1 ? 1 : 0, Math.ceil((rates?.waitMs ?? 0) / 1000));
  }

  /**
   * The attempt is over (reply delivered, failure, client gone, stream end): frees the lease and
   * corrects TPM to `tokens`, the prompt + completion billed (0 when nothing was produced).
   */
  end(hold: CapacityHold, tokens: number): void {
    if (hold.ended) return;
    const tpm = hold.rates?.tpm;
    this.finish(hold, tpm ? [{ key: tpm.key, limit: tpm.limit, delta: Math.ceil(tokens) - tpm.cost }] : []);
  }

  /** Gives everything back: the hold was never used (admission refused the request). */
  vacate(hold: CapacityHold): void {
    if (hold.ended) return;
    const changes: WindowAdjust[] = [];
    for (const w of [hold.rates?.rpm, hold.rates?.tpm]) if (w) changes.push({ key: w.key, limit: w.limit, delta: -w.cost });
    this.finish(hold, changes);
  }

  close(): void {
    clearInterval(this.renewer);
  }

  private finish(hold: CapacityHold, changes: WindowAdjust[]): void {
    hold.ended = true;
    if (hold.lease) {
      this.running.delete(hold.leaseId);
      void this.leases.release(hold.leaseId, [hold.lease]);
    }
    const changed = changes.filter((c) => c.delta !== 0);
    if (hold.rates && changed.length) void this.windows.adjust(hold.rates.store, changed, Date.now());
  }

  /** Streams that outlive a third of the lease TTL keep their slot. */
  private renewLongRunning(): void {
    const now = Date.now();
    for (const [id, r] of this.running) {
      if (now - r.renewedAt < LEASE_TTL_MS / 3) continue;
      r.renewedAt = now;
      void this.leases.renew(id, [r.key]);
    }
  }
}
