/**
 * End-to-end harness for the console: runs the production build (`server.mjs`, what `npm start`
 * and the image run) on a free port with
 * `ADMIN_URL` pointing wherever the test says (a fake in the first spec, the real admin service
 * later), and drives it with Debian's Chromium through playwright-core.
 *
 *   const h = await startConsoleHarness({ adminUrl: 'http://127.0.0.1:3002' });
 *   const page = await h.newPage();           // fresh context (cookies), 1280×800
 *   await page.goto(h.url + '/login');
 *   await h.screenshot(page, 'login');         // → <repo>/test-results/console/login.png
 *   await h.stop();
 *
 * Needs `apps/console/.next` (run `node tools/scripts/build.mjs` or `next build` in apps/console);
 * with `buildIfMissing` it builds itself (minutes on 2 cores).
 *
 * Self-contained on purpose: the console project is `type:web` and may import only @oneapi/domain.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CONSOLE_DIR = resolve(__dirname, '..');
export const WORKSPACE_ROOT = resolve(CONSOLE_DIR, '../..');
export const SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'test-results', 'console');
const NEXT_BIN = join(WORKSPACE_ROOT, 'node_modules/next/dist/bin/next');
const CONSOLE_SERVER = join(CONSOLE_DIR, 'server.mjs');
/** For a test that walks every page in a browser: on a busy machine it comes near the suite's default timeout. */
export const SWEEP_TIMEOUT_MS = 360_000;

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** A port that was free a moment ago (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

export function isConsoleBuilt(): boolean {
  return existsSync(join(CONSOLE_DIR, '.next', 'BUILD_ID'));
}

/** Runs `next build` in apps/console (synchronously; several minutes on 2 cores). */
export function buildConsole(): void {
  const r = spawnSync(process.execPath, [NEXT_BIN, 'build'], { cwd: CONSOLE_DIR, stdio: 'inherit', env: childEnv({ NEXT_TELEMETRY_DISABLED: '1' }) });
  if (r.status !== 0) throw new Error(`next build failed with status ${r.status}`);
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // The harness forwards its own environment to the child it spawns; it does not read configuration.
  return { ...process.env, ...extra };
}

export interface ConsoleServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Everything the console server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the console server exited with ${child.exitCode}:\n${output().slice(-3000)}`);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`console did not answer ${url} in ${timeoutMs} ms (${last}):\n${output().slice(-3000)}`);
}

/** Starts the production build (server.mjs) with `ADMIN_URL=adminUrl`. */
export async function startConsoleServer(options: { adminUrl: string; port?: number; env?: Record<string, string>; buildIfMissing?: boolean; timeoutMs?: number }): Promise<ConsoleServer> {
  if (!isConsoleBuilt()) {
    if (!options.buildIfMissing) throw new Error('apps/console/.next is missing: run `node tools/scripts/build.mjs` (or `next build` in apps/console) first');
    buildConsole();
  }
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [CONSOLE_SERVER, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: CONSOLE_DIR,
    env: childEnv({ NEXT_TELEMETRY_DISABLED: '1', ...options.env, ADMIN_URL: options.adminUrl }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    if (pid === undefined) return;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal); // its own process group: Next's workers go too
      } catch {
        /* already gone */
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/login`, child, () => out, options.timeoutMs ?? 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, output: () => out, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface ConsoleHarness {
  url: string;
  server: ConsoleServer;
  browser: Browser;
  /** A page in a fresh browser context (own cookies). Default viewport 1280×800, English. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Saves a full-page PNG to test-results/console/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Console server + Chromium. Pass the real admin service's URL, or a fake's. */
export async function startConsoleHarness(options: { adminUrl: string; env?: Record<string, string>; buildIfMissing?: boolean }): Promise<ConsoleHarness> {
  const server = await startConsoleServer(options);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await server.stop();
    throw err;
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    url: server.url,
    server,
    browser,
    async newPage(contextOptions) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...contextOptions });
      return context.newPage();
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}
