import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpFrom, randomLoopback } from '@oneapi/testing';
import { startFakeAdmin, type FakeAdmin, type FakeAdminOptions } from './fake-admin';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { startConsoleHarness, startConsoleServer, type ConsoleHarness, type ConsoleServer } from './harness';

const NOTICE = '**Maintenance** tonight: see <a href="https://status.example.com/">the status page</a> and <img src="/logo.svg" alt="logo" width="16">.';
const XSS_NOTICE = 'Maintenance tonight <img src="x" onerror="window.__xss = 1"> <script>window.__xss2 = 1</script> <a href="javascript:window.__xss3=1">link</a>';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

describe('console security headers and CSP', () => {
  // Read by the fake on every request, so a test can change the stored notice.
  const stored: FakeAdminOptions = { notice: NOTICE };
  let admin: FakeAdmin;
  let h: ConsoleHarness;

  beforeAll(async () => {
    admin = await startFakeAdmin(stored);
    h = await startConsoleHarness({ adminUrl: admin.url, buildIfMissing: true });
  }, 900_000);
  afterAll(async () => {
    await h?.stop();
    await admin?.stop();
  });

  it('pages carry a nonce-based CSP (no unsafe-inline scripts, frame-ancestors none) and every script has that nonce', async () => {
    const nonces = new Set<string>();
    for (const path of ['/login', '/', '/about', '/dashboard']) {
      const res = await fetch(h.url + path);
      const html = await res.text();
      expect(res.status).toBe(200);
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      const nonce = /^'nonce-([^']+)'$/.exec(csp['script-src']?.find((v) => v.startsWith("'nonce-")) ?? '')?.[1];
      expect(nonce).toBeTruthy();
      nonces.add(nonce as string);
      expect(csp['script-src']).toContain("'strict-dynamic'");
      expect(csp['script-src']).not.toContain("'unsafe-inline'");
      expect(csp['script-src']).not.toContain("'unsafe-eval'");
      expect(csp['default-src']).toEqual(["'self'"]);
      expect(csp['object-src']).toEqual(["'none'"]);
      expect(csp['base-uri']).toEqual(["'self'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    // A fresh nonce per response.
    expect(nonces.size).toBe(4);
  });

  it('API and static responses carry nosniff, frame and referrer headers too', async () => {
    const api = await fetch(h.url + '/api/status');
    expect(api.status).toBe(200);
    const logo = await fetch(h.url + '/logo.svg');
    for (const res of [api, logo]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  /** A browser context that records CSP violation events and the pages' console errors. */
  async function watchedContext() {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await context.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const violations = () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    return { context, page, errors, violations };
  }

  it('pages render and work in Chromium with no CSP violation and no console error', async () => {
    stored.notice = NOTICE;
    const { context, page, errors, violations } = await watchedContext();
    try {
      await page.goto(h.url + '/');
      await page.getByTestId('notice').filter({ hasText: 'Maintenance tonight' }).waitFor();
      expect(await page.getByTestId('notice').innerHTML()).toContain('<strong>Maintenance</strong>');
      await page.waitForLoadState('networkidle');
      expect(await violations()).toEqual([]);

      await page.goto(h.url + '/about');
      await page.waitForLoadState('networkidle');
      expect(await violations()).toEqual([]);

      // Signing in needs the page's scripts (hydration, the form's handler): they ran under the CSP.
      await page.goto(h.url + '/login');
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-password');
      await page.getByTestId('login-submit').click();
      await page.waitForURL('**/dashboard');
      await page.getByText('$2.00').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await violations()).toEqual([]);
      await h.screenshot(page, 'csp-dashboard');
    } finally {
      await context.close();
    }
    // Signed out, the pages ask /api/user/self and get 401: the browser logs that, nothing else.
    expect(errors.filter((e) => !/^Failed to load resource: the server responded with a status of 401/.test(e))).toEqual([]);
  });

  it('a stored notice with script stays sanitised; the only CSP report allowed is its inline handler, blocked', async () => {
    stored.notice = XSS_NOTICE;
    const { context, page, violations } = await watchedContext();
    try {
      await page.goto(h.url + '/');
      await page.getByTestId('notice').filter({ hasText: 'Maintenance tonight' }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.getByTestId('notice').innerHTML()).not.toMatch(/onerror|<script|javascript:/i);
      expect(await page.evaluate(() => ['__xss', '__xss2', '__xss3'].map((k) => (window as unknown as Record<string, unknown>)[k]))).toEqual([undefined, undefined, undefined]);
      // DOMPurify parses the notice in an inert document, where Chromium already refuses (and
      // reports) the onerror attribute: the CSP's second line, not a page of ours breaking.
      expect((await violations()).filter((v) => v !== 'script-src-attr inline')).toEqual([]);
    } finally {
      await context.close();
      stored.notice = NOTICE;
    }
  });

  it('another site cannot frame the console', async () => {
    const framer: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><iframe id="console" src="${h.url}/login" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', () => r()));
    const page = await h.newPage();
    const errors: string[] = [];
    page.on('console', (m) => errors.push(m.text()));
    try {
      // localhost, not 127.0.0.1: a different origin from the console's.
      await page.goto(`http://localhost:${(framer.address() as AddressInfo).port}/`);
      await page.waitForLoadState('networkidle');
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame).toBeDefined();
      expect(await frame?.locator('[data-testid=login-submit]').count()).toBe(0);
      expect(errors.join('\n')).toMatch(/frame-ancestors|X-Frame-Options/);
    } finally {
      await page.context().close();
      await new Promise((r) => framer.close(r));
    }
  });
});

describe('POST /api/user/login through the console proxy', () => {
  const secret = randomBytes(32).toString('hex');
  let stack: GatewayStack;
  let console_: ConsoleServer;
  let loginUrl: string;

  beforeAll(async () => {
    // The shipped defaults: 20 critical requests per client, 10 wrong passwords per account and client.
    stack = await startGatewayStack({ env: { SESSION_SECRET: secret, CRITICAL_RATE_LIMIT: '20', LOGIN_FAILURE_LIMIT: '10', LOGIN_FAILURE_USER_LIMIT: '100' } });
    console_ = await startConsoleServer({ adminUrl: stack.adminUrl, env: { SESSION_SECRET: secret }, buildIfMissing: true });
    loginUrl = `${console_.url}/api/user/login`;
  }, 900_000);
  afterAll(async () => {
    await console_?.stop();
    await stack?.stop();
  });

  const login = (from: string, password: string, headers: Record<string, string> = {}) => httpFrom(from, loginUrl, { json: { username: 'root', password }, headers });
  const forgedHeaders = () => ({
    'X-Forwarded-For': `203.0.113.${1 + Math.floor(Math.random() * 254)}`,
    // The console's own header, made up: the proxy replaces it, and the admin would not believe it anyway.
    'x-oneapi-forwarded': `${randomBytes(40).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
  });

  it('30 wrong logins from one client lock out that client only; forged X-Forwarded-For does not help it', async () => {
    const attacker = randomLoopback();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login(attacker, 'wrong-password', forgedHeaders())).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    const locked = await login(attacker, '123456', forgedHeaders());
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(1100);

    // Everyone else reaches the admin from the same console, and still logs in.
    for (const other of [randomLoopback(), randomLoopback()]) {
      const ok = await login(other, '123456');
      expect({ status: ok.status, body: ok.body }).toMatchObject({ status: 200, body: { success: true, data: { username: 'root' } } });
      expect(ok.headers['set-cookie']?.join(';')).toMatch(/session=/);
    }
  });
});
