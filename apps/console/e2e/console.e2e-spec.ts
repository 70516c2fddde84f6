import type { Page } from 'playwright-core';
import { startFakeAdmin, type FakeAdmin } from './fake-admin';
import { startConsoleHarness, type ConsoleHarness } from './harness';

const XSS_NOTICE = 'Maintenance tonight <img src="x" onerror="window.__xss = 1"> <script>window.__xss2 = 1</script> <a href="javascript:window.__xss3=1">link</a>';

describe('console against a fake admin API', () => {
  let admin: FakeAdmin;
  let h: ConsoleHarness;

  beforeAll(async () => {
    admin = await startFakeAdmin({ notice: XSS_NOTICE });
    h = await startConsoleHarness({ adminUrl: admin.url, buildIfMissing: true });
  }, 900_000);

  afterAll(async () => {
    await h?.stop();
    await admin?.stop();
  });

  const pages: Page[] = [];
  async function open(path: string, locale = 'en-US'): Promise<Page> {
    const page = await h.newPage({ locale });
    pages.push(page);
    await page.goto(h.url + path);
    return page;
  }
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByTestId('login-submit').click();
  }

  it('renders the login page with the system name from /api/status', async () => {
    const page = await open('/login');
    await page.getByText('Sign in', { exact: true }).first().waitFor();
    await page.getByTestId('system-name').filter({ hasText: 'Fake Gateway' }).waitFor();
    expect(await page.getByLabel('Username').isVisible()).toBe(true);
    await h.screenshot(page, 'login');
  });

  it('shows the API message when the password is wrong', async () => {
    const page = await open('/login');
    await signIn(page, 'alice', 'wrong-password');
    await page.getByTestId('login-error').filter({ hasText: 'Wrong username or password' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('signs in through the /api proxy and lands on the dashboard', async () => {
    const page = await open('/login');
    const before = admin.requests.length;
    await signIn(page, 'alice', 'alice-password');
    await page.waitForURL('**/dashboard');
    // quota 1,000,000 at 500,000 per USD
    await page.getByText('$2.00').first().waitFor();
    const login = admin.requests.slice(before).find((r) => r.url === '/api/user/login' && r.method === 'POST');
    if (!login) throw new Error('the login request never reached the admin API');
    expect(JSON.parse(login.body)).toEqual({ username: 'alice', password: 'alice-password' });
    expect(login.headers['x-forwarded-for']).toBeTruthy();
    expect(login.headers['x-forwarded-proto']).toBe('http');
    // The session cookie set by the admin API reached the browser and goes back through the proxy.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'session')?.value).toBe('sess-alice');
    const afterLogin = admin.requests.slice(admin.requests.indexOf(login));
    const self = afterLogin.filter((r) => r.url === '/api/user/self').map((r) => r.headers.cookie ?? '');
    expect(self).toContainEqual(expect.stringContaining('session=sess-alice'));
    await h.screenshot(page, 'dashboard');
  });

  it('passes trailing slashes and query strings through unchanged', async () => {
    const res = await fetch(`${h.url}/api/token/?p=0&page_size=10`, { headers: { cookie: 'session=sess-alice' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, message: '', data: [] });
    expect(admin.requests.at(-1)?.url).toBe('/api/token/?p=0&page_size=10');
    const denied = await fetch(`${h.url}/api/user/self`);
    expect(denied.status).toBe(401);
  });

  it('forces the password change for root with the default password', async () => {
    const page = await open('/login');
    await signIn(page, 'root', '123456');
    await page.waitForURL('**/change-password');
    // Any other page bounces back while the admin API answers 403 "change the default password".
    await page.goto(h.url + '/token');
    await page.waitForURL('**/change-password');
    await page.getByTestId('change-password-submit').waitFor();
  });

  it('picks the language from Accept-Language and switches it with the cookie', async () => {
    const zh = await open('/login', 'zh-CN');
    await zh.getByText('用户登录').waitFor();

    const page = await open('/login');
    await page.getByText('Sign in', { exact: true }).first().waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByTitle('中文').click();
    await page.getByText('用户登录').waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'NEXT_LOCALE')?.value).toBe('zh');
    await page.reload();
    await page.getByText('用户登录').waitFor();
    await h.screenshot(page, 'login-zh');
  });

  it('renders the notice without running its script payloads', async () => {
    const dialogs: string[] = [];
    const page = await open('/');
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const notice = page.getByTestId('notice');
    await notice.filter({ hasText: 'Maintenance tonight' }).waitFor();
    // Let the broken image fail to load; an onerror handler would have run by then.
    await page.waitForLoadState('networkidle');
    const html = await notice.innerHTML();
    expect(html).not.toMatch(/onerror|<script|javascript:/i);
    const ran = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return [w['__xss'], w['__xss2'], w['__xss3']];
    });
    expect(ran).toEqual([undefined, undefined, undefined]);
    expect(dialogs).toEqual([]);
    await h.screenshot(page, 'notice');
  });

  it('is usable at phone width', async () => {
    const page = await h.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    pages.push(page);
    await page.goto(h.url + '/login');
    await page.getByTestId('login-submit').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await h.screenshot(page, 'login-phone');
  });
});
