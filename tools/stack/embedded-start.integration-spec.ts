import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '@oneapi/config';
import { WORKSPACE_ROOT, freePort, startProcess, waitForHttp, type RunningProcess } from '@oneapi/testing';

/**
 * The README's run command on one machine: `npm start` (tools/scripts/start.mjs) brings up relay,
 * admin and console in embedded mode (SQLite, no Redis), and root can log in through the console.
 */
describe('npm start (embedded mode)', () => {
  let dir: string;
  let proc: RunningProcess;
  let ports: { relay: number; admin: number; console: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oneapi-start-'));
    ports = { relay: await freePort(), admin: await freePort(), console: await freePort() };
    const env = childEnv({
      SQLITE_PATH: join(dir, 'one-api.db'),
      PORT: String(ports.relay),
      ADMIN_PORT: String(ports.admin),
      CONSOLE_PORT: String(ports.console),
    });
    // A fresh clone's defaults: the start output below is what a new user sees.
    for (const key of ['LOG_LEVEL', 'LOG_FORMAT', 'LOG_DIR', 'DEBUG']) delete env[key];
    proc = startProcess(process.execPath, [join(WORKSPACE_ROOT, 'tools/scripts/start.mjs')], { cwd: WORKSPACE_ROOT, env });
  });

  afterAll(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers health, status and the console login page within 60 s, and root logs in through the console', async () => {
    const started = Date.now();
    await waitForHttp(`http://127.0.0.1:${ports.relay}/healthz`, { process: proc, timeoutMs: 60_000 });
    await waitForHttp(`http://127.0.0.1:${ports.admin}/api/status`, { process: proc, timeoutMs: 60_000 - (Date.now() - started) });
    await waitForHttp(`http://127.0.0.1:${ports.console}/login`, { process: proc, timeoutMs: 60_000 - (Date.now() - started) });
    expect(Date.now() - started).toBeLessThan(60_000);

    const status = await (await fetch(`http://127.0.0.1:${ports.admin}/api/status`)).json();
    expect(status).toMatchObject({ success: true, data: { version: expect.any(String), start_time: expect.any(Number) } });

    const login = await fetch(`http://127.0.0.1:${ports.console}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: '123456' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { success: boolean }).success).toBe(true);
    expect(login.headers.get('set-cookie')).toMatch(/session=/);

    // The relay sends browsers to the console.
    const root = await fetch(`http://127.0.0.1:${ports.relay}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
  });

  it('prints the console URL, the OpenAI base URL and how to log in', async () => {
    const deadline = Date.now() + 30_000;
    while (!proc.output().includes('Log in with') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(proc.output()).toContain(`http://localhost:${ports.console}`);
    expect(proc.output()).toContain(`http://localhost:${ports.relay}/v1`);
    expect(proc.output()).toMatch(/root \/ 123456/);
  });

  it('prints at most 10 lines before the summary, readable ones, without Nest bootstrap lines', () => {
    const output = proc.output();
    const before = output.slice(0, output.indexOf('One API TS is running')).split('\n').filter((l) => l.trim() !== '');
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThanOrEqual(10);
    expect(output).not.toMatch(/dependencies initialized|Mapped \{/);
    // LOG_FORMAT defaults to text under npm start: no JSON log lines.
    expect(before.filter((l) => l.startsWith('{"level"'))).toEqual([]);
    expect(output).toMatch(/INFO\s+admin\s+admin listening/);
  });
});
