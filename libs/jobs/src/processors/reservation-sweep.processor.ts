import { sweepExpiredReservations, type ReservationSweepResult } from '@oneapi/data';
import type { JobContext } from '../job-context';

/**
 * Releases reservations whose request never settled, one batch per run (the schedule comes back
 * within a minute for the rest). Safe on several workers at once and alongside late settlements:
 * the repository releases each reservation only when its own DELETE removed the row.
 */
export async function sweepReservations(ctx: JobContext): Promise<ReservationSweepResult> {
  const now = ctx.now ? ctx.now() * 1000 : Date.now();
  const result = await sweepExpiredReservations(ctx.db, { now, limit: ctx.settings.reservationSweepBatchSize });
  const fields = { released: result.released, amount: result.amount, skipped: result.skipped, more: result.more };
  // Quiet when there was nothing to do: the job runs up to once a second.
  if (result.released > 0 || result.skipped > 0) ctx.logger.info(fields, `${result.released} expired reservation(s) released`);
  else ctx.logger.debug(fields, 'no expired reservations');
  return result;
}
