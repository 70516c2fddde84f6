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

/** Structured JSON logger: stdout, plus `<LOG_DIR>/<service>.log` when a log dir is configured. */
export function createLogger(service: string, config: AppConfig): Logger {
  const level = config.env.LOG_LEVEL;
  const base = { service };
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (!config.env.LOG_DIR) return pino({ level, base, redact });
  mkdirSync(config.env.LOG_DIR, { recursive: true });
  const streams = pino.multistream([
    { level, stream: pino.destination({ dest: 1, sync: false }) },
    { level, stream: pino.destination({ dest: join(config.env.LOG_DIR, `${service}.log`), mkdir: true, sync: false }) },
  ]);
  return pino({ level, base, redact }, streams);
}

/** Adapts pino to Nest's LoggerService so framework messages share the JSON format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
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
