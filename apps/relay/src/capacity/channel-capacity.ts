import type { RedisClient } from '@oneapi/cache';
import type { RedisGate } from '@oneapi/platform';
import { FallbackCapacityStore, LEASE_TTL_MS, RedisCapacityStore, type CapacityStore, type LeaseWant } from './capacity-store';
import type { WindowAdjust, WindowWant } from './rate-windows';

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

/** The caller's concurrency slots (per user, per token) a request holds until it ends. */
export interface CallerSlots {
  readonly id: string;
  readonly keys: readonly string[];
  readonly store: CapacityStore;
  ended: boolean;
}

/** What one attempt holds on a channel until it ends. */
export interface CapacityHold {
  /** The request's id: the member of every lease it holds. */
  readonly id: string;
  readonly leaseId: string;
  /** The concurrency lease's key; null when the channel has no concurrency cap. */
  readonly lease: string | null;
  /** The per-minute budgets charged; null when the channel has no rates. */
  readonly rates: { rpm: WindowWant | null; tpm: WindowWant | null } | null;
  /** The store that took them (Redis, or this process while Redis is away). */
  readonly store: CapacityStore;
  /** The caller's slots when they were taken with this hold (the request's first channel). */
  readonly callers: CallerSlots | null;
  ended: boolean;
}

/** The caller's own caps refused the request: `index` is the first full one of the wants. */
export class CallersFull {
  constructor(readonly index: number) {}
}

/** Whether a channel has any capacity limit; one without costs the hot path nothing. */
export function hasCapacityLimits(c: ChannelLimits): boolean {
  return c.maxConcurrency > 0 || c.rpm > 0 || c.tpm > 0;
}

/**
 * Counted capacity (issue 12): the caller's concurrency caps and each channel's concurrency
 * (leases that expire unless renewed, so a relay that dies frees its slots after the TTL) and
 * RPM/TPM (GCRA budgets), in Redis across relays in distributed mode, in this process otherwise
 * or while Redis is away. Everything a request takes on its first channel, the caller's slots
 * included, is taken in one all-or-nothing round trip, and given back in one more when the
 * request ends; a retry on another channel takes only that channel's room.
 *
 * TPM is charged with the admission estimate (prompt + max_tokens) and corrected when the
 * attempt ends to what was billed; an attempt that produced nothing gives its tokens back, and
 * keeps its request (the upstream saw it). A hold that was never used gives everything back.
 */
export class ChannelCapacity {
  private prefix = 'channel';
  readonly store: FallbackCapacityStore;
  private readonly running = new Map<string, { id: string; store: CapacityStore; keys: readonly string[]; renewedAt: number }>();
  private readonly renewer: NodeJS.Timeout;

  constructor(redis: RedisClient | null, onFallback: (error: unknown) => void = () => undefined, gate?: RedisGate) {
    this.store = new FallbackCapacityStore(redis ? new RedisCapacityStore(redis, LEASE_TTL_MS) : null, gate, onFallback);
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
   * Takes room for one attempt on `channel`, and the caller's slots `callers` with it (empty on
   * retries: the request holds them already); `tokens` is the request's estimate for TPM.
   * Returns the hold, CallersFull when the caller's caps refuse, or the seconds until the
   * channel may have room (Retry-After): 1 for a full concurrency cap, the time until enough of
   * the budget refills for RPM/TPM.
   */
  async take(requestId: string, channel: ChannelLimits, tokens: number, callers: readonly LeaseWant[] = []): Promise<CapacityHold | CallersFull | number> {
    const lease = channel.maxConcurrency > 0 ? `${this.prefix}:${channel.id}` : null;
    const rpm = channel.rpm > 0 ? { key: `${this.prefix}:${channel.id}:rpm`, limit: channel.rpm, cost: 1 } : null;
    // A request larger than the whole budget could otherwise never pass: it may use a full minute.
    const tpm = channel.tpm > 0 ? { key: `${this.prefix}:${channel.id}:tpm`, limit: channel.tpm, cost: Math.max(1, Math.min(Math.ceil(tokens), channel.tpm)) } : null;
    const budgets: WindowWant[] = [];
    if (rpm) budgets.push(rpm);
    if (tpm) budgets.push(tpm);
    const leases: LeaseWant[] = lease ? [{ key: lease, limit: channel.maxConcurrency }, ...callers] : [...callers];
    const channelLeases = lease ? 1 : 0;
    const now = Date.now();
    const r = await this.store.take(requestId, leases, channelLeases, budgets, now);
    if (r.full === -1 && r.waitMs === 0) {
      const slots = callers.length ? this.holdCallers(requestId, callers, r.store, now) : null;
      const leaseId = `${requestId}:${channel.id}`;
      if (lease) this.running.set(leaseId, { id: requestId, store: r.store, keys: [lease], renewedAt: now });
      return { id: requestId, leaseId, lease, rates: budgets.length ? { rpm, tpm } : null, store: r.store, callers: slots, ended: false };
    }
    if (r.full >= channelLeases) return new CallersFull(r.full - channelLeases);
    return Math.max(1, Math.ceil(r.waitMs / 1000));
  }

  /** Takes the caller's slots alone (a request whose channel has no limits). */
  async takeCallers(requestId: string, callers: readonly LeaseWant[]): Promise<CallerSlots | CallersFull> {
    const now = Date.now();
    const r = await this.store.take(requestId, callers, 0, [], now);
    return r.full === -1 ? this.holdCallers(requestId, callers, r.store, now) : new CallersFull(r.full);
  }

  /**
   * The attempt is over (reply delivered, failure, client gone, stream end): frees the lease and
   * corrects TPM to `tokens`, the prompt + completion billed (0 when nothing was produced). With
   * `callers` (the request is over too) their slots go back in the same round trip.
   */
  end(hold: CapacityHold, tokens: number, callers: CallerSlots | null = null): void {
    if (hold.ended) {
      if (callers) this.endCallers(callers);
      return;
    }
    const tpm = hold.rates?.tpm;
    const delta = tpm ? Math.ceil(tokens) - tpm.cost : 0;
    this.finish(hold, tpm && delta !== 0 ? [{ key: tpm.key, limit: tpm.limit, delta }] : [], callers);
  }

  /** Gives everything back: the hold was never used (admission refused the request). */
  vacate(hold: CapacityHold, callers: CallerSlots | null = null): void {
    if (hold.ended) {
      if (callers) this.endCallers(callers);
      return;
    }
    const changes: WindowAdjust[] = [];
    for (const w of [hold.rates?.rpm, hold.rates?.tpm]) if (w) changes.push({ key: w.key, limit: w.limit, delta: -w.cost });
    this.finish(hold, changes, callers);
  }

  /** Frees the caller's slots (the request is over); a no-op once given back. */
  endCallers(slots: CallerSlots): void {
    if (slots.ended) return;
    slots.ended = true;
    this.running.delete(slots.id);
    this.store.give(slots.store, slots.id, slots.keys, [], Date.now());
  }

  close(): void {
    clearInterval(this.renewer);
  }

  private holdCallers(requestId: string, callers: readonly LeaseWant[], store: CapacityStore, now: number): CallerSlots {
    const keys = callers.map((w) => w.key);
    this.running.set(requestId, { id: requestId, store, keys, renewedAt: now });
    return { id: requestId, keys, store, ended: false };
  }

  private finish(hold: CapacityHold, changes: WindowAdjust[], callers: CallerSlots | null): void {
    hold.ended = true;
    let leases: readonly string[] = hold.lease ? [hold.lease] : [];
    if (hold.lease) this.running.delete(hold.leaseId);
    // The request is over: its slots go back with the channel's, in one round trip when one store holds both.
    if (callers && !callers.ended) {
      if (callers.store === hold.store) {
        callers.ended = true;
        this.running.delete(callers.id);
        leases = leases.length ? [...leases, ...callers.keys] : callers.keys;
      } else this.endCallers(callers);
    }
    this.store.give(hold.store, hold.id, leases, changes, Date.now());
  }

  /** Streams that outlive a third of the lease TTL keep their slots. */
  private renewLongRunning(): void {
    const now = Date.now();
    for (const r of this.running.values()) {
      if (now - r.renewedAt < LEASE_TTL_MS / 3) continue;
      r.renewedAt = now;
      this.store.renew(r.store, r.id, r.keys);
    }
  }
}
