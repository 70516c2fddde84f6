import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '@oneapi/config';
import { createLogger, formatLogLine, PinoNestLogger } from './logger';

describe('logger', () => {
  it("puts Nest's bootstrap lines at debug and keeps its other messages at info", () => {
    const lines: Array<{ level: number; context?: string; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as (typeof lines)[number]) });
    const nest = new PinoNestLogger(logger);
    nest.log('AdminModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/api/status, GET} route', 'RouterExplorer');
    nest.log('StatusController {/api}:', 'RoutesResolver');
    nest.log('Starting Nest application...', 'NestFactory');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('a message of our own', 'ChannelService');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[30, 'a message of our own']]);

    logger.level = 'debug';
    nest.log('AdminModule dependencies initialized', 'InstanceLoader');
    expect(lines.at(-1)).toMatchObject({ level: 20, context: 'InstanceLoader', msg: 'AdminModule dependencies initialized' });
  });

  it('formats a JSON line for people: time, level, service, message, then the other fields', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5).getTime();
    expect(formatLogLine(JSON.stringify({ level: 40, time, pid: 1, hostname: 'h', service: 'admin', msg: 'redis error', err: 'ECONNREFUSED', ports: [1, 2] }))).toBe(
      '03:04:05 WARN  admin  redis error err=ECONNREFUSED ports=[1,2]\n',
    );
    expect(formatLogLine('not json\n')).toBe('not json\n');
  });

  it('writes JSON lines to LOG_DIR/<service>.log even when standard output is text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneapi-logs-'));
    try {
      const config = loadConfig({ SQLITE_PATH: join(dir, 'one-api.db'), LOG_DIR: dir, LOG_FORMAT: 'text', LOG_LEVEL: 'info' });
      expect(config.env.LOG_FORMAT).toBe('text');
      const logger = createLogger('admin', config);
      logger.info({ port: 3002 }, 'admin listening');
      // The file destination opens asynchronously; poll for the line with a deadline.
      const file = join(dir, 'admin.log');
      const deadline = Date.now() + 5000;
      let text = '';
      while (!text.includes('admin listening') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        logger.flush();
        text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      }
      expect(JSON.parse(text.trim().split('\n')[0] ?? '')).toMatchObject({ level: 30, service: 'admin', port: 3002, msg: 'admin listening' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('LOG_FORMAT is json unless set, and only json or text', () => {
    expect(loadConfig({ SQLITE_PATH: '/tmp/oneapi-logger-spec/one-api.db', SESSION_SECRET: 'k3y-for-logger-spec-0123456789abcdef' }).env.LOG_FORMAT).toBe('json');
    expect(() => loadConfig({ SQLITE_PATH: '/tmp/oneapi-logger-spec/one-api.db', SESSION_SECRET: 'k3y-for-logger-spec-0123456789abcdef', LOG_FORMAT: 'pretty' })).toThrow(
      expect.objectContaining({ variable: 'LOG_FORMAT' }),
    );
  });
});
