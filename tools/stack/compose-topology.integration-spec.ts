import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import YAML from 'yaml';
import { childEnv, loadTestEnv } from '@oneapi/config';
import { WORKSPACE_ROOT, createTestDatabase, distFile, freePort, isMysqlAvailable, present, startProcess, waitForHttp, type RunningProcess, type TestDatabase } from '@oneapi/testing';

interface ComposeService {
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  build?: { dockerfile: string };
}

/**
 * docker-compose.yml is validated with Debian's docker-compose in an empty environment (users run
 * `docker compose up` with nothing exported), then the same topology is run as processes: each
 * service gets the environment compose would give it (hosts pointed at the local MariaDB and
 * Redis, no SESSION_SECRET), in depends_on order, and must pass the healthcheck compose declares.
 */
describe('docker-compose.yml', () => {
  let config: { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

  beforeAll(() => {
    const text = execFileSync('docker-compose', ['-f', join(WORKSPACE_ROOT, 'docker-compose.yml'), 'config'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      encoding: 'utf8',
    });
    config = YAML.parse(text);
  });

  it('is valid and declares the distributed stack with healthchecks, healthy dependencies and named volumes', () => {
    expect(Object.keys(config.services).sort()).toEqual(['admin', 'console', 'mysql', 'redis', 'relay', 'worker']);
    for (const [name, svc] of Object.entries(config.services)) {
      expect({ name, healthcheck: Boolean(svc.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
      for (const dep of Object.values(svc.depends_on ?? {})) expect(dep.condition).toBe('service_healthy');
    }
    expect(Object.keys(config.volumes ?? {}).sort()).toEqual(['console-key', 'mysql-data', 'redis-data']);
    expect(String(present(config.services['admin']?.environment, 'admin environment')['SQL_DSN'])).toMatch(/@tcp\(mysql:3306\)\/oneapi$/);
    // Every image is built from a Dockerfile in this repository.
    for (const name of ['admin', 'relay', 'worker', 'console']) {
      const dockerfile = present(config.services[name]?.build, `${name} build`).dockerfile;
      expect(existsSync(isAbsolute(dockerfile) ? dockerfile : join(WORKSPACE_ROOT, dockerfile))).toBe(true);
    }
  });

  describe('the same topology as processes', () => {
    let db: TestDatabase | undefined;
    const procs: RunningProcess[] = [];
    const started = new Map<string, { port: number; env: NodeJS.ProcessEnv; proc: RunningProcess }>();
    // Stands in for the console-key volume.
    const shared = mkdtempSync(join(tmpdir(), 'oneapi-console-key-'));

    beforeAll(async () => {
      if (await isMysqlAvailable()) db = await createTestDatabase('mysql');
    });
    afterAll(async () => {
      for (const p of procs.reverse()) await p.stop();
      await db?.drop();
      rmSync(shared, { recursive: true, force: true });
    });

    it('starts admin, then relay and worker, each passing its healthcheck', async () => {
      if (!db) return;
      const redisUrl = loadTestEnv().redisUrl;
      const localEnv = (svc: ComposeService, portVar: string, port: number) => {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(svc.environment ?? {})) if (v !== null && v !== undefined) env[k] = String(v);
        // Compose passes SESSION_SECRET through empty when nothing is exported.
        expect(env['SESSION_SECRET'] ?? '').toBe('');
        // Same variables compose sets, with the hostnames of this machine's servers.
        if (env['SQL_DSN']) env['SQL_DSN'] = present(db?.env['SQL_DSN'], 'test database DSN');
        if (env['REDIS_CONN_STRING']) env['REDIS_CONN_STRING'] = redisUrl;
        if (env['CONSOLE_FORWARD_KEY_FILE']) env['CONSOLE_FORWARD_KEY_FILE'] = join(shared, 'console-forward-key');
        env[portVar] = String(port);
        env['LOG_LEVEL'] = 'warn';
        return childEnv(env);
      };
      const healthPath = (svc: ComposeService) => present(/127\.0\.0\.1:\d+(\/[a-z]+)/.exec(present(svc.healthcheck, 'healthcheck').test.join(' '))?.[1], 'healthcheck path');

      const order: Array<[string, string]> = [
        ['admin', 'ADMIN_PORT'],
        ['relay', 'PORT'],
        ['worker', 'WORKER_HEALTH_PORT'],
      ];
      for (const [name, portVar] of order) {
        const svc = present(config.services[name], name);
        for (const dep of Object.keys(svc.depends_on ?? {})) expect(['mysql', 'redis', 'admin']).toContain(dep);
        const port = await freePort();
        const env = localEnv(svc, portVar, port);
        const proc = startProcess(process.execPath, [distFile(`apps/${name}/src/main.js`)], { env, cwd: WORKSPACE_ROOT });
        procs.push(proc);
        started.set(name, { port, env, proc });
        await waitForHttp(`http://127.0.0.1:${port}${healthPath(svc)}`, { process: proc, timeoutMs: 60_000 });
      }
    });

    it('signs root in with no SESSION_SECRET, and the session survives an admin restart (the secret lives in the database)', async () => {
      if (!db) return;
      const admin = present(started.get('admin'), 'admin process');
      const base = `http://127.0.0.1:${admin.port}`;
      const login = await fetch(`${base}/api/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        body: JSON.stringify({ username: 'root', password: '123456' }),
      });
      expect(login.status).toBe(200);
      const cookie = present(login.headers.getSetCookie().find((c) => c.startsWith('session=')), 'session cookie').split(';')[0];
      const self = () => fetch(`${base}/api/user/self`, { headers: { cookie, 'x-requested-with': 'XMLHttpRequest' } });
      expect((await self()).status).toBe(200);

      await admin.proc.stop();
      const again = startProcess(process.execPath, [distFile('apps/admin/src/main.js')], { env: admin.env, cwd: WORKSPACE_ROOT });
      procs.push(again);
      await waitForHttp(`${base}/readyz`, { process: again, timeoutMs: 60_000 });
      const after = await self();
      expect({ status: after.status, username: ((await after.json()) as { data?: { username?: string } }).data?.username }).toEqual({ status: 200, username: 'root' });
    });

    it("hands the console its signing key through the shared volume: the admin tells browsers apart by the console's signed header", async () => {
      if (!db) return;
      const admin = present(started.get('admin'), 'admin process');
      const consoleEnv = present(config.services['console']?.environment, 'console environment');
      expect(consoleEnv['CONSOLE_FORWARD_KEY_FILE']).toBe(present(config.services['admin']?.environment, 'admin environment')['CONSOLE_FORWARD_KEY_FILE']);
      const hex = readFileSync(join(shared, 'console-forward-key'), 'utf8').trim();
      expect(hex).toMatch(/^[0-9a-f]{64}$/);
      const key = Buffer.from(hex, 'hex');
      // What the console's /api proxy sends (apps/console/app/api/[...path]/route.ts).
      const signed = (browser: string) => {
        const body = Buffer.from(JSON.stringify({ for: browser, proto: 'http', scheme: 'http', t: Math.floor(Date.now() / 1000) })).toString('base64url');
        return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
      };
      let n = 0;
      const attempt = (browser: string) =>
        fetch(`http://127.0.0.1:${admin.port}/api/user/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest', 'x-oneapi-forwarded': signed(browser) },
          body: JSON.stringify({ username: `nobody-${++n}`, password: 'wrong-password' }),
        }).then((r) => r.status);
      // CRITICAL_RATE_LIMIT (20 per client per 20 minutes) runs out for one browser...
      const statuses: number[] = [];
      for (let i = 0; i < 25 && !statuses.includes(429); i++) statuses.push(await attempt('203.0.113.7'));
      expect(statuses.at(-1)).toBe(429);
      // ...and not for another one behind the same console: the admin believed the signature.
      expect(await attempt('203.0.113.8')).toBe(401);
    });
  });
});
