/** Rates are per minute. */
export const WINDOW_MS = 60_000;

/** Units one request wants from a per-minute budget (`limit` units per WINDOW_MS). */
export interface WindowWant {
  key: string;
  limit: number;
  cost: number;
}

/** A change to units charged earlier: positive charges more, negative gives back. */
export interface WindowAdjust {
  key: string;
  limit: number;
  delta: number;
}

/**
 * Per-minute budgets counted with GCRA (the generic cell rate algorithm): each key keeps one
 * number, the time at which its budget would be whole again, so there is no window edge where
 * twice the limit passes. A budget holds at most `limit` units and refills continuously at
 * `limit` per minute; a want of `cost` units passes when that fits.
 */
export interface RateWindows {
  /** Charges every want, or none: 0 when charged, else ms until all of them would fit. */
  take(wants: readonly WindowWant[], now: number): Promise<number>;
  adjust(changes: readonly WindowAdjust[], now: number): Promise<void>;
}

/** The budget's "whole again" time after charging `units` (negative units give back). */
export function gcra(tat: number | undefined, now: number, limit: number, units: number): number {
  return Math.max(tat ?? now, now) + (units * WINDOW_MS) / limit;
}

/** In this process only (embedded mode, and the fallback while Redis is away). */
export class MemoryRateWindows implements RateWindows {
  private readonly tats = new Map<string, number>();
  private sweptAt = 0;

  take(wants: readonly WindowWant[], now: number): Promise<number> {
    this.sweep(now);
    let wait = 0;
    const next: number[] = [];
    for (const w of wants) {
      const tat = gcra(this.tats.get(w.key), now, w.limit, w.cost);
      if (tat - now > WINDOW_MS) wait = Math.max(wait, tat - now - WINDOW_MS);
      next.push(tat);
    }
    if (wait > 0) return Promise.resolve(Math.ceil(wait));
    wants.forEach((w, i) => this.tats.set(w.key, next[i]));
    return Promise.resolve(0);
  }

  adjust(changes: readonly WindowAdjust[], now: number): Promise<void> {
    for (const c of changes) {
      const tat = gcra(this.tats.get(c.key), now, c.limit, c.delta);
      if (tat <= now) this.tats.delete(c.key);
      else this.tats.set(c.key, tat);
    }
    return Promise.resolve();
  }

  /** Drops budgets that are whole again, once a minute, so idle channels cost no memory. */
  private sweep(now: number): void {
    if (now - this.sweptAt < WINDOW_MS) return;
    this.sweptAt = now;
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }
}
