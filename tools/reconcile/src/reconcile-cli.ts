import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { APP_NAME, APP_VERSION, ConfigError, loadConfig } from '@oneapi/config';
import { Database, reconcile, type ReconcileReport } from '@oneapi/data';

/** Exit codes: 0 no drift, 1 drift found, 2 bad usage or failure, 78 bad environment. */
export const EXIT = { ok: 0, drift: 1, error: 2, config: 78 } as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Rows printed per table; --json has them all. */
const MAX_ROWS = 50;

const LOGS_CAVEAT =
  'log retention (LOG_RETENTION_DAYS), deleted logs or an imported history also cause this without any money moving; --no-logs skips this check';

const HELP = `${APP_NAME} reconcile ${APP_VERSION}: check that money is conserved over the whole database.

Usage: npm run reconcile -- [--json] [--no-logs]
       node dist/tools/reconcile/src/main.js [--json] [--no-logs]

For every user and every token with a limited balance:
  user    quota + used_quota + held                 = granted_quota
  token   remain_quota + used_quota + held (charged) = granted_quota
  billed  used_quota = sum of the user's consume logs
where held is the sum of the in-flight reservations. Any difference is printed as drift.

  --json      print the report as JSON
  --no-logs   skip the billed check: log retention (LOG_RETENTION_DAYS), deleted logs
              or an imported history break it without any money moving
  --help      print this help and exit

The database is the configured one (SQL_DSN, else SQLITE_PATH; logs in LOG_SQL_DSN when set),
opened as the services open it. Run it when the relays are idle for an exact answer: requests
settling during the check can show as a transient drift when logs live in LOG_SQL_DSN.
Exit codes: 0 no drift, 1 drift, 2 bad usage or failure, 78 bad environment.
See libs/data/README.md, "Money".
`;

/** Runs the CLI; returns the exit code (main.ts exits with it). `env` defaults to the process's. */
export async function runReconcileCli(argv: string[], io: CliIo, env?: NodeJS.ProcessEnv): Promise<number> {
  let values: { json?: boolean; 'no-logs'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, 'no-logs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\nRun with --help for usage.\n`);
    return EXIT.error;
  }
  if (values.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  let config;
  try {
    // The tool opens no sessions: a throwaway secret keeps loadConfig from demanding SESSION_SECRET
    // (distributed mode) or writing one into the data folder (embedded mode).
    config = loadConfig(env, { overrides: { SESSION_SECRET: randomBytes(32).toString('hex') } });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`reconcile: ${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  let db: Database | undefined;
  try {
    db = await Database.open(config, { log: (message) => io.err(`${message}\n`) });
    const report = await reconcile(db, { logs: !values['no-logs'] });
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReconcileReport(report));
    return report.ok ? EXIT.ok : EXIT.drift;
  } catch (error) {
    io.err(`reconcile: ${String((error as Error)?.stack ?? error)}\n`);
    return EXIT.error;
  } finally {
    await db?.close();
  }
}

/** The human report: one table per equation that has drift, or a single "no drift" line. */
export function formatReconcileReport(r: ReconcileReport): string {
  const lines: string[] = [];
  const { users, tokens } = r.checked;
  if (r.ok) {
    lines.push(`no drift: ${plural(users, 'user')}, ${plural(tokens, 'token')} checked${r.checked.logs ? '' : ' (used quota not compared with the logs: --no-logs)'}`);
  } else {
    if (r.users.length) {
      lines.push(`users with drift (quota + used + held - granted): ${r.users.length} of ${users}`);
      lines.push(...table(['user', 'username', 'granted', 'quota', 'used', 'held', 'drift'], r.users.map((d) => [d.userId, d.username, d.granted, d.quota, d.used, d.held, signed(d.drift)])), '');
    }
    if (r.tokens.length) {
      lines.push(`tokens with drift (remain + used + held - granted): ${r.tokens.length} of ${tokens}`);
      lines.push(...table(['token', 'user', 'name', 'granted', 'remain', 'used', 'held', 'drift'], r.tokens.map((d) => [d.tokenId, d.userId, d.name, d.granted, d.remain, d.used, d.held, signed(d.drift)])), '');
    }
    if (r.billed.length) {
      lines.push(`users whose used quota differs from their consume logs (used - billed): ${r.billed.length} of ${users}`);
      lines.push(...table(['user', 'username', 'used', 'billed', 'drift'], r.billed.map((d) => [d.userId, d.username, d.used, d.billed, signed(d.drift)])));
      lines.push(`  note: ${LOGS_CAVEAT}`, '');
    }
    lines.push(`drift found: ${[plural(r.users.length, 'user'), plural(r.tokens.length, 'token'), r.checked.logs ? `${r.billed.length} billed` : 'billed not checked'].join(', ')} (${plural(users, 'user')}, ${plural(tokens, 'token')} checked)`);
  }
  if (r.stale.count > 0) {
    lines.push(`stale: ${plural(r.stale.count, 'reservation')} past RESERVATION_TTL still holding ${r.stale.amount} (held, so not drift; the reservations.sweep job releases them)`);
  }
  return `${lines.join('\n')}\n`;
}

function table(headers: string[], rows: Array<Array<string | number>>): string[] {
  const shown = rows.slice(0, MAX_ROWS).map((row) => row.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...shown.map((row) => row[i].length)));
  const line = (cells: string[], numeric: (i: number) => boolean) => `  ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  const isNumber = rows.length ? (i: number) => typeof rows[0][i] === 'number' || i === headers.length - 1 : () => false;
  const out = [line(headers, isNumber), ...shown.map((row) => line(row, isNumber))];
  if (rows.length > shown.length) out.push(`  ... and ${rows.length - shown.length} more (--json lists them all)`);
  return out;
}

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
