import { parseArgs } from 'node:util';
import { APP_NAME, APP_VERSION, ConfigError, loadConfig, type AppConfig, type Env } from '@oneapi/config';

export interface ServiceCli {
  /** Service name for --help and logs: relay, admin, worker. */
  service: string;
  /** Env variable the --port flag overrides (PORT for the relay, ADMIN_PORT for admin...). */
  portVariable: keyof Env;
  description: string;
}

/**
 * Parses One API's flags (--port, --log-dir, --version, --help) and validates the environment.
 * Prints and exits on --help, --version or a bad variable, as a CLI should.
 */
export function loadServiceConfig(cli: ServiceCli, argv = process.argv.slice(2)): AppConfig {
  let values: { port?: string; 'log-dir'?: string; version?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'log-dir': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for usage.\n`);
    process.exit(2);
  }
  if (values.version) {
    process.stdout.write(`${APP_VERSION}\n`);
    process.exit(0);
  }
  if (values.help) {
    process.stdout.write(
      `${APP_NAME} ${cli.service} ${APP_VERSION}: ${cli.description}\n\n` +
        `Usage: node main.js [--port N] [--log-dir DIR] [--version] [--help]\n\n` +
        `  --port N         listen on port N (default from ${String(cli.portVariable)})\n` +
        `  --log-dir DIR    also write JSON logs to DIR/${cli.service}.log\n` +
        `  --version        print the version and exit\n` +
        `  --help           print this help and exit\n\n` +
        `Configuration is read from environment variables; see README.md.\n`,
    );
    process.exit(0);
  }
  const overrides: Partial<Record<keyof Env, string>> = {};
  if (values.port !== undefined) overrides[cli.portVariable] = values.port;
  if (values['log-dir'] !== undefined) overrides.LOG_DIR = values['log-dir'];
  try {
    return loadConfig(undefined, { overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${cli.service}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
