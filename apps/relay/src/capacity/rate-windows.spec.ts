import { MemoryRateWindows, WINDOW_MS } from './rate-windows';

describe('MemoryRateWindows (GCRA per minute)', () => {
  const t0 = 1_000_000;

  it('passes up to the limit at once, then refuses with the ms until one more fits', async () => {
    const w = new MemoryRateWindows();
    for (let i = 0; i < 3; i++) expect(await w.take([{ key: 'k', limit: 3, cost: 1 }], t0)).toBe(0);
    expect(await w.take([{ key: 'k', limit: 3, cost: 1 }], t0)).toBe(WINDOW_MS / 3);
    // It refills continuously: one request's worth after a third of a minute, not at a window edge.
    expect(await w.take([{ key: 'k', limit: 3, cost: 1 }], t0 + WINDOW_MS / 3 - 1)).toBe(1);
    expect(await w.take([{ key: 'k', limit: 3, cost: 1 }], t0 + WINDOW_MS / 3)).toBe(0);
  });

  it('charges every budget or none', async () => {
    const w = new MemoryRateWindows();
    expect(await w.take([{ key: 'tpm', limit: 100, cost: 90 }], t0)).toBe(0);
    expect(await w.take([{ key: 'rpm', limit: 10, cost: 1 }, { key: 'tpm', limit: 100, cost: 20 }], t0)).toBeGreaterThan(0);
    // The refused take left the request budget whole: ten more fit.
    for (let i = 0; i < 10; i++) expect(await w.take([{ key: 'rpm', limit: 10, cost: 1 }], t0)).toBe(0);
  });

  it('adjusts a charge: giving back frees the budget, charging more delays the next request', async () => {
    const w = new MemoryRateWindows();
    expect(await w.take([{ key: 'k', limit: 1000, cost: 900 }], t0)).toBe(0);
    expect(await w.take([{ key: 'k', limit: 1000, cost: 200 }], t0)).toBe(6_000);
    await w.adjust([{ key: 'k', limit: 1000, delta: -885 }], t0);
    expect(await w.take([{ key: 'k', limit: 1000, cost: 200 }], t0)).toBe(0);
    await w.adjust([{ key: 'k', limit: 1000, delta: 1000 }], t0);
    // 1215 used against 1000: one more token waits until 216 have refilled.
    expect(await w.take([{ key: 'k', limit: 1000, cost: 1 }], t0)).toBe(Math.ceil(216 * 60));
  });
});
