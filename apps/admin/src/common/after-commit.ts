import type { Logger } from 'pino';
import type { AfterCommitErrorHandler } from '@oneapi/data';

/**
 * Runs work that follows a committed change (cache publish, a log on another database). Its
 * failure is logged and swallowed: answering an error would make the client retry a change that
 * already happened (a top-up credited twice).
 */
export async function afterCommit(logger: Logger, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    reportAfterCommit(logger)(error, what);
  }
}

/** The repositories' after-commit error handler: a warning naming the step (never the SQL parameters). */
export function reportAfterCommit(logger: Logger): AfterCommitErrorHandler {
  return (error, what) => {
    const e = error as { code?: unknown; message?: unknown };
    logger.warn({ step: what, code: e?.code, error: typeof e?.message === 'string' ? e.message : String(error) }, 'work after a committed change failed; the change stands');
  };
}
