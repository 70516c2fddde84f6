/**
 * The real gateway for browser flows: the compiled admin service and relay (`dist/apps/*`, what
 * `npm start` runs) on one fresh SQLite file in embedded mode (no Redis: background jobs run in
 * the admin process, cache invalidations travel over the SQL-polling bus), plus a fake OpenAI
 * upstream for channels to point at.
 *
 *   const stack = await startGatewayStack();
 *   const h = await startConsoleHarness({ adminUrl: stack.adminUrl });
 *   ... new OpenAI({ baseURL: stack.relayUrl + '/v1', apiKey })
 *   await stack.stop();
 *
 * Root keeps One API's default password (123456) so the forced password change can be tested.
 * Needs `node tools/scripts/build.mjs --server-only` (npm test builds first).
 */
import { randomBytes } from 'node:crypto';
import { childEnv } from '@oneapi/config';
import {
  WORKSPACE_ROOT,
  createTestDatabase,
  distFile,
  freePort,
  startFakeOpenAI,
  startProcess,
  waitForHttp,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RunningProcess,
  type TestDatabase,
} from '@oneapi/testing';

export interface GatewayStack {
  /** e.g. http://127.0.0.1:41234 (the admin API the console proxies `/api/*` to). */
  adminUrl: string;
  /** OpenAI base URL without `/v1`. */
  relayUrl: string;
  upstream: FakeUpstream;
  db: TestDatabase;
  admin: RunningProcess;
  relay: RunningProcess;
  /** Last lines both services printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startGatewayStack(options: { upstream?: FakeUpstreamOptions; env?: Record<string, string> } = {}): Promise<GatewayStack> {
  const adminMain = distFile('apps/admin/src/main.js');
  const relayMain = distFile('apps/relay/src/main.js');
  const db = await createTestDatabase('sqlite');
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stopAll = async () => {
    for (const s of started.splice(0).reverse()) await s.stop().catch(() => undefined);
    await db.drop();
  };
  try {
    const upstream = await startFakeOpenAI(options.upstream);
    started.push({ stop: () => upstream.close() });
    const [adminPort, relayPort] = [await freePort(), await freePort()];
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const relayUrl = `http://127.0.0.1:${relayPort}`;
    const env = childEnv({
      ...db.env,
      HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      PORT: String(relayPort),
      ADMIN_URL: adminUrl,
      RELAY_URL: relayUrl,
      SESSION_SECRET: randomBytes(24).toString('hex'),
      // Every browser request comes from 127.0.0.1 through the console's proxy.
      GLOBAL_API_RATE_LIMIT: '0',
      GLOBAL_WEB_RATE_LIMIT: '0',
      CRITICAL_RATE_LIMIT: '0',
      LOGIN_FAILURE_LIMIT: '0',
      LOGIN_FAILURE_USER_LIMIT: '0',
      LOG_LEVEL: 'warn',
      // Empty means unset: root starts with One API's default password 123456.
      INITIAL_ROOT_PASSWORD: '',
      INITIAL_ROOT_TOKEN: '',
      INITIAL_ROOT_ACCESS_TOKEN: '',
      ...options.env,
    });
    // Admin first: it migrates the fresh database and creates root before the relay opens it.
    const admin = startProcess(process.execPath, [adminMain], { env, cwd: WORKSPACE_ROOT });
    started.push(admin);
    await waitForHttp(`${adminUrl}/api/status`, { process: admin, timeoutMs: 60_000 });
    const relay = startProcess(process.execPath, [relayMain], { env, cwd: WORKSPACE_ROOT });
    started.push(relay);
    await waitForHttp(`${relayUrl}/healthz`, { process: relay, timeoutMs: 60_000 });
    return {
      adminUrl,
      relayUrl,
      upstream,
      db,
      admin,
      relay,
      output: () => `--- admin ---\n${admin.output().slice(-3000)}\n--- relay ---\n${relay.output().slice(-3000)}`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
