import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { APP_NAME, APP_VERSION, ConfigError, loadConfig } from '@oneapi/config';
import { formatOneApiImportReport, importOneApiDatabase, OneApiImportError } from '@oneapi/data';

/** Exit codes: 0 done (dry run or applied), 1 apply refused, 2 bad usage or failure, 78 bad environment. */
export const EXIT = { ok: 0, refused: 1, error: 2, config: 78 } as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const HELP = `${APP_NAME} import-one-api ${APP_VERSION}: import a One API database into this one.

Usage: node dist/tools/import-one-api/src/main.js --from <source> [--apply [--merge]] [--json]

  --from SOURCE     One API's SQLite file (one-api.db), or its MySQL database:
                    mysql://user:pass@host:3306/oneapi or One API's SQL_DSN form
                    user:pass@tcp(host:3306)/oneapi
  --dry-run         report what would be imported, write nothing (the default)
  --apply           migrate the target and import; refused when the target has data
                    beyond the auto-created root account, unless --merge
  --merge           import into a target that already has data: duplicate usernames,
                    token and redemption keys and existing options are skipped, ids
                    that overlap the target's are shifted
  --batch-size N    rows read and written per batch (default 500)
  --json            print the report as JSON instead of text
  --help            print this help and exit

The target is the configured database (SQL_DSN, else SQLITE_PATH), as for the services.
Channel keys are encrypted when CHANNEL_KEY_SECRET is set. See tools/import-one-api/README.md.
`;

/** Runs the CLI; returns the exit code (main.ts exits with it). */
export async function runImportCli(argv: string[], io: CliIo): Promise<number> {
  let values: { from?: string; apply?: boolean; 'dry-run'?: boolean; merge?: boolean; json?: boolean; help?: boolean; 'batch-size'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        apply: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        merge: { type: 'boolean' },
        json: { type: 'boolean' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
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
  if (!values.from) {
    io.err('--from is required (a One API SQLite file or MySQL DSN). Run with --help for usage.\n');
    return EXIT.error;
  }
  if (values.apply && values['dry-run']) {
    io.err('--apply and --dry-run contradict each other.\n');
    return EXIT.error;
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    io.err('--batch-size must be a positive integer.\n');
    return EXIT.error;
  }
  let config;
  try {
    // The tool opens no sessions: a throwaway secret keeps loadConfig from demanding SESSION_SECRET
    // (distributed mode) or writing one into the data folder (embedded mode).
    config = loadConfig(undefined, { overrides: { SESSION_SECRET: randomBytes(32).toString('hex') } });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`import-one-api: ${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  try {
    const report = await importOneApiDatabase({
      from: values.from,
      target: config,
      apply: values.apply ?? false,
      merge: values.merge ?? false,
      batchSize,
      log: (message) => io.err(`${message}\n`),
    });
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatOneApiImportReport(report)}\n`);
    if (report.refused) {
      if (values.json) io.err(`refused: ${report.refused}\n`);
      return EXIT.refused;
    }
    return EXIT.ok;
  } catch (error) {
    const known = error instanceof OneApiImportError || error instanceof ConfigError || (error instanceof Error && error.message.startsWith('--from'));
    io.err(`import-one-api: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    return EXIT.error;
  }
}
