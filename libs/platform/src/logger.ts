import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '@oneapi/config';

/** Header and field names whose values must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.key',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.secret',
];

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has; the text format shows them in its fixed columns instead. */
const TEXT_OMIT = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname']);

/**
 * One JSON log line as a readable one: `12:00:01 INFO  admin  message key=value`. Lines that are
 * not JSON pass through unchanged.
 */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toTimeString().slice(0, 8) : '';
  const level = (LEVEL_NAMES[Number(entry['level'])] ?? String(entry['level'])).toUpperCase().padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !TEXT_OMIT.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${time} ${level} ${String(entry['service'] ?? '')}  ${String(entry['msg'] ?? '')}${fields.length ? ' ' + fields.join(' ') : ''}\n`;
}

/** Standard output in LOG_FORMAT: pino's JSON lines as they are, or formatted for people. */
function stdoutStream(format: 'json' | 'text'): pino.DestinationStream {
  const out = pino.destination({ dest: 1, sync: false });
  if (format === 'json') return out;
  return { write: (line: string) => out.write(formatLogLine(line)) };
}

/** Structured logger: stdout in LOG_FORMAT, plus `<LOG_DIR>/<service>.log` (always JSON) when a log dir is configured. */
export function createLogger(service: string, config: AppConfig): Logger {
  const level = config.env.LOG_LEVEL;
  const base = { service };
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  const stdout = stdoutStream(config.env.LOG_FORMAT);
  if (!config.env.LOG_DIR) return pino({ level, base, redact }, stdout);
  mkdirSync(config.env.LOG_DIR, { recursive: true });
  const streams = pino.multistream([
    { level, stream: stdout },
    { level, stream: pino.destination({ dest: join(config.env.LOG_DIR, `${service}.log`), mkdir: true, sync: false }) },
  ]);
  return pino({ level, base, redact }, streams);
}

/**
 * Nest's own start-up chatter (a line per module and per route, ~40 per service): kept for
 * LOG_LEVEL=debug, so the start output shows what an operator needs.
 */
const BOOTSTRAP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Adapts pino to Nest's LoggerService so framework messages share the logger and its format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    if (context !== undefined && BOOTSTRAP_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
