import { randomBytes } from 'node:crypto';
import { loadConfig } from '@oneapi/config';
import { JobName } from './job-names';
import { jobSettingsFromConfig, repeatingJobs, reservationSweepEveryMs } from './runtime-jobs';

const config = (env: Record<string, string>) => loadConfig({ SESSION_SECRET: randomBytes(24).toString('hex'), ...env });

describe('reservation sweep schedule', () => {
  it('runs every min(60, max(1, RESERVATION_TTL / 2)) seconds', () => {
    expect(reservationSweepEveryMs(600)).toBe(60_000);
    expect(reservationSweepEveryMs(120)).toBe(60_000);
    expect(reservationSweepEveryMs(90)).toBe(45_000);
    expect(reservationSweepEveryMs(3)).toBe(1_500);
    expect(reservationSweepEveryMs(2)).toBe(1_000);
    expect(reservationSweepEveryMs(1)).toBe(1_000);
  });

  it('is a repeating job and a job setting derived from RESERVATION_TTL (default 600 s: every minute)', () => {
    const ttl10 = config({ RESERVATION_TTL: '10' });
    expect(jobSettingsFromConfig(ttl10).reservationSweepEveryMs).toBe(5_000);
    expect(repeatingJobs(ttl10).find((j) => j.name === JobName.ReservationsSweep)).toEqual({ name: JobName.ReservationsSweep, payload: {}, everyMs: 5_000 });
    expect(repeatingJobs(config({})).find((j) => j.name === JobName.ReservationsSweep)?.everyMs).toBe(60_000);
  });
});
