import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startGitHubFake, startTurnstileFake, startWeChatServerFake, type GitHubFake, type TurnstileFake, type WeChatServerFake } from '@oneapi/testing';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Third-party sign-in and the system settings page in Chromium, against the real (compiled) admin
 * service on SQLite and the outside-world fakes: root turns each feature on through the settings
 * page, then a fresh browser signs in with it.
 *
 * Two stand-ins are browser routes, because nothing on this machine reaches the internet:
 * - GitHub's authorize page (the fake speaks only the token exchange and `/user`): the route
 *   plays the user clicking "Authorize" and redirects to the console's callback with a code the
 *   GitHub fake issued.
 * - Cloudflare's Turnstile script (`challenges.cloudflare.com/turnstile/v0/api.js`): a minimal
 *   `window.turnstile` with the same render/callback contract, so the console's real widget code
 *   runs and the token it reports is verified by the admin at the Turnstile fake.
 */

const ROOT_PASSWORD = 'E2e-auth-Root1';
const GITHUB_LOGIN = 'octo-e2e';
const WECHAT_ID = 'wx-openid-e2e';
const TURNSTILE_SITE_KEY = '0x4AAAAAAAe2eSiteKey';
const TURNSTILE_TOKEN = 'turnstile-token-from-the-widget';

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
}
interface SelfView {
  id: number;
  username: string;
  display_name: string;
  github_id: string;
  wechat_id: string;
}
interface StatusView {
  github_oauth: boolean;
  github_client_id: string;
  github_authorize_url: string;
  wechat_login: boolean;
  turnstile_check: boolean;
  turnstile_site_key: string;
}
interface OptionView {
  key: string;
  value: string;
}

/** What Cloudflare's api.js provides, just enough for @marsidev/react-turnstile (explicit render + onload). */
function turnstileStandIn(token: string): string {
  return `(() => {
  const src = (document.currentScript && document.currentScript.src) || '';
  const onload = new URL(src, location.href).searchParams.get('onload');
  const responses = {};
  let next = 0;
  window.turnstile = {
    render(target, opts) {
      const id = 'stand-in-' + ++next;
      const el = typeof target === 'string' ? document.querySelector(target) : target;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Verify you are human';
      button.setAttribute('data-testid', 'turnstile-stand-in');
      button.setAttribute('data-sitekey', opts.sitekey);
      button.onclick = () => { responses[id] = ${JSON.stringify(token)}; button.textContent = 'Success!'; opts.callback(responses[id]); };
      el.appendChild(button);
      return id;
    },
    remove(id) { delete responses[id]; },
    reset(id) { delete responses[id]; },
    getResponse(id) { return responses[id]; },
    isExpired() { return false; },
    execute() {},
    ready(cb) { cb(); },
  };
  if (onload && typeof window[onload] === 'function') window[onload]();
})();`;
}

describe('console sign-in with GitHub, WeChat and Turnstile, and the system settings page (real admin, SQLite)', () => {
  let stack: GatewayStack;
  let h: ConsoleHarness;
  let github: GitHubFake;
  let wechat: WeChatServerFake;
  let turnstile: TurnstileFake;
  /** Root's tab, signed in before the flows. */
  let root: Page;
  const contexts: BrowserContext[] = [];

  async function api<T>(page: Page, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Envelope<T>> {
    const res = await page.request.fetch(h.url + path, { method, data: body });
    const text = await res.text();
    try {
      return JSON.parse(text) as Envelope<T>;
    } catch {
      throw new Error(`${method} ${path} answered ${res.status()} with a non-JSON body: ${text.slice(0, 300)}`);
    }
  }
  async function status(): Promise<StatusView> {
    return ((await (await fetch(`${stack.adminUrl}/api/status`)).json()) as Envelope<StatusView>).data;
  }
  async function options(): Promise<Record<string, string>> {
    const res = await api<OptionView[]>(root, 'GET', '/api/option/');
    if (!res.success) throw new Error(`GET /api/option/ failed: ${res.message}`);
    return Object.fromEntries(res.data.map((o) => [o.key, o.value]));
  }
  async function freshPage(): Promise<Page> {
    const page = await h.newPage();
    contexts.push(page.context());
    return page;
  }

  /** Root fills the System tab of the settings page (text/secret fields by label, switches turned on) and saves. */
  async function saveSystemSettings(fields: Record<string, string>, switchesOn: string[]): Promise<void> {
    await root.goto(h.url + '/system');
    await root.getByRole('tab', { name: 'System' }).click();
    const pane = root.getByRole('tabpanel');
    for (const [label, value] of Object.entries(fields)) await pane.getByLabel(label, { exact: true }).fill(value);
    for (const label of switchesOn) {
      const toggle = pane.getByRole('switch', { name: label, exact: true });
      if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
      expect(await toggle.getAttribute('aria-checked')).toBe('true');
    }
    await pane.getByRole('button', { name: 'Save' }).click();
    const saved = root.locator('.ant-message').getByText(/settings saved$/).last();
    const refused = pane.getByRole('alert');
    await saved.or(refused).first().waitFor();
    if (await refused.isVisible()) throw new Error(`the settings page refused to save: ${await refused.innerText()}`);
  }

  beforeAll(async () => {
    github = await startGitHubFake();
    wechat = await startWeChatServerFake();
    turnstile = await startTurnstileFake();
    try {
      stack = await startGatewayStack({
        env: {
          GITHUB_OAUTH_URL: github.url,
          GITHUB_API_URL: github.url,
          TURNSTILE_VERIFY_URL: turnstile.verifyUrl,
          // Not One API's default: no forced password change in these flows.
          INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
        },
      });
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack?.stop();
      await Promise.all([github.close(), wechat.close(), turnstile.close()]);
      throw error;
    }
    root = await freshPage();
    const login = await api<unknown>(root, 'POST', '/api/user/login', { username: 'root', password: ROOT_PASSWORD });
    expect(login).toMatchObject({ success: true });
  }, 900_000);

  afterAll(async () => {
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'auth-flows-services.log'), stack.output());
    }
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.stop();
    await stack?.stop();
    await Promise.all([github?.close(), wechat?.close(), turnstile?.close()]);
  });

  it('1. root enables GitHub OAuth on the settings page; a user signs in with GitHub and lands as github_<n>', async () => {
    await saveSystemSettings({ 'GitHub client ID': github.clientId, 'GitHub client secret': github.clientSecret }, ['GitHub sign-in']);
    const st = await status();
    expect(st).toMatchObject({ github_oauth: true, github_client_id: github.clientId, github_authorize_url: `${github.url}/login/oauth/authorize` });

    const page = await freshPage();
    // GitHub's authorize page: the user approves, GitHub redirects to the registered callback.
    let authorize: URL | undefined;
    await page.route(`${github.url}/login/oauth/authorize**`, async (route) => {
      authorize = new URL(route.request().url());
      const code = github.issueCode({ login: GITHUB_LOGIN, name: 'Octo E2E', email: 'octo@e2e.test' });
      const callback = `${h.url}/oauth/github?code=${code}&state=${encodeURIComponent(authorize.searchParams.get('state') ?? '')}`;
      await route.fulfill({ status: 302, headers: { location: callback } });
    });
    await page.goto(h.url + '/login');
    await page.getByRole('button', { name: 'GitHub' }).click();
    await page.waitForURL('**/dashboard');
    expect(authorize?.searchParams.get('client_id')).toBe(github.clientId);
    expect(authorize?.searchParams.get('state')).toBeTruthy();
    // The admin exchanged the code at the fake with the saved credentials and read the account.
    const exchange = github.requests.find((r) => r.path === '/login/oauth/access_token');
    expect(JSON.parse(exchange?.body ?? '{}')).toMatchObject({ client_id: github.clientId, client_secret: github.clientSecret });
    expect(github.requests.some((r) => r.path === '/user')).toBe(true);

    const self = await api<SelfView>(page, 'GET', '/api/user/self');
    expect(self.success).toBe(true);
    expect(self.data.username).toMatch(/^github_\d+$/);
    expect(self.data).toMatchObject({ github_id: GITHUB_LOGIN, display_name: 'Octo E2E' });
    await page.getByTestId('user-menu').filter({ hasText: self.data.username }).or(page.getByTestId('user-menu').filter({ hasText: 'Octo E2E' })).first().waitFor();
    await h.screenshot(page, 'auth-1-github-signed-in');
  });

  it('2. root enables WeChat sign-in; a user enters a code from the WeChat server and lands as wechat_<n>', async () => {
    await saveSystemSettings({ 'WeChat server address': wechat.url, 'WeChat server token': wechat.token }, ['WeChat sign-in']);
    expect((await status()).wechat_login).toBe(true);

    const page = await freshPage();
    await page.goto(h.url + '/login');
    await page.getByRole('button', { name: 'WeChat' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Sign in with WeChat' });
    await dialog.waitFor();
    // A wrong code is refused with the WeChat server's message; the dialog stays open.
    await dialog.getByPlaceholder('Verification code').fill('000000');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.locator('.ant-message').getByText(/invalid or expired code/).waitFor();
    await dialog.getByPlaceholder('Verification code').fill(wechat.issueCode(WECHAT_ID));
    await h.screenshot(page, 'auth-2-wechat-dialog');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.waitForURL('**/dashboard');
    // The admin asked the WeChat server with the saved token.
    expect(wechat.requests.at(-1)?.headers.authorization).toBe(wechat.token);

    const self = await api<SelfView>(page, 'GET', '/api/user/self');
    expect(self.success).toBe(true);
    expect(self.data.username).toMatch(/^wechat_\d+$/);
    expect(self.data.wechat_id).toBe(WECHAT_ID);
    await h.screenshot(page, 'auth-2-wechat-signed-in');
  });

  it('3. root enables Turnstile; the pages show the widget and sign-up needs a token the verifier accepts', async () => {
    await saveSystemSettings({ 'Turnstile site key': TURNSTILE_SITE_KEY, 'Turnstile secret key': turnstile.secret }, ['Turnstile check']);
    expect(await status()).toMatchObject({ turnstile_check: true, turnstile_site_key: TURNSTILE_SITE_KEY });

    // The API: registering without a token, or with one the verifier never issued, is refused.
    const anon = await freshPage();
    const newUser = { username: 'e2e_ts_user', password: 'E2e-ts-Pass1', password2: 'E2e-ts-Pass1' };
    const noToken = await api<unknown>(anon, 'POST', '/api/user/register', newUser);
    expect(noToken).toMatchObject({ success: false, message: 'turnstile: the Turnstile token is missing' });
    const unknown = await api<unknown>(anon, 'POST', '/api/user/register?turnstile=not-issued', newUser);
    expect(unknown).toMatchObject({ success: false, message: 'Turnstile check failed, refresh the page and try again' });
    // Like One API, the API does not check Turnstile on password login (only its web form does).
    expect(await api<unknown>(anon, 'POST', '/api/user/login', { username: 'root', password: ROOT_PASSWORD })).toMatchObject({ success: true });

    // The browser: Cloudflare's script is replaced by the stand-in (no internet here).
    const page = await freshPage();
    let scriptRequests = 0;
    await page.route('https://challenges.cloudflare.com/turnstile/v0/api.js**', async (route) => {
      scriptRequests++;
      await route.fulfill({ status: 200, contentType: 'text/javascript', body: turnstileStandIn(TURNSTILE_TOKEN) });
    });
    await page.goto(h.url + '/register');
    const widget = page.getByTestId('turnstile-stand-in');
    await widget.waitFor();
    expect(scriptRequests).toBe(1);
    expect(await widget.getAttribute('data-sitekey')).toBe(TURNSTILE_SITE_KEY);
    await page.getByLabel('Username').fill(newUser.username);
    await page.getByLabel('Password', { exact: true }).fill(newUser.password);
    await page.getByLabel('Confirm password', { exact: true }).fill(newUser.password2);
    const signUp = page.getByRole('button', { name: 'Sign up' });
    // Without a token the console does not even submit.
    expect(await signUp.isDisabled()).toBe(true);
    await h.screenshot(page, 'auth-3-turnstile-register');

    turnstile.allow(TURNSTILE_TOKEN);
    await widget.click();
    await signUp.click();
    await page.waitForURL('**/login');
    // The admin verified the widget's token with the saved secret.
    const verify = new URLSearchParams(turnstile.requests.at(-1)?.body ?? '');
    expect(verify.get('secret')).toBe(turnstile.secret);
    expect(verify.get('response')).toBe(TURNSTILE_TOKEN);

    // The login page shows the widget too and waits for it before signing in.
    await page.getByTestId('turnstile-stand-in').waitFor();
    await page.getByLabel('Username').fill(newUser.username);
    await page.getByLabel('Password', { exact: true }).fill(newUser.password);
    expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
    await page.getByTestId('turnstile-stand-in').click();
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/dashboard');
    expect((await api<SelfView>(page, 'GET', '/api/user/self')).data.username).toBe(newUser.username);
    await h.screenshot(page, 'auth-3-turnstile-signed-in');
  });

  it('4. the settings page saves a numeric option and a ratio JSON, and refuses bad JSON before saving', async () => {
    await root.goto(h.url + '/system');
    await root.getByRole('tab', { name: 'Operation' }).click();
    const pane = root.getByRole('tabpanel');
    const before = await options();

    await pane.getByLabel('Quota for new users', { exact: true }).fill('123456');
    const groupRatio = pane.getByLabel('Group ratios (JSON)', { exact: true });
    await groupRatio.fill('{"default": 1, "vip": ');
    let optionWrites = 0;
    root.on('request', (req) => {
      if (req.method() === 'PUT' && /\/api\/option\/(batch)?$/.test(req.url())) optionWrites++;
    });
    await pane.getByRole('button', { name: 'Save' }).click();
    await pane.getByText('Enter a JSON object of model names to non-negative numbers').waitFor();
    await h.screenshot(root, 'auth-4-settings-bad-json');
    // Nothing was sent: the form refused as a whole, the number included.
    expect(optionWrites).toBe(0);
    expect(await options()).toMatchObject({ QuotaForNewUser: before['QuotaForNewUser'], GroupRatio: before['GroupRatio'] });

    const ratios = { default: 1, vip: 0.8, svip: 0.5 };
    await groupRatio.fill(JSON.stringify(ratios, null, 2));
    await pane.getByRole('button', { name: 'Save' }).click();
    await root.locator('.ant-message').getByText('2 settings saved').waitFor();
    // Both in one all-or-nothing batch.
    expect(optionWrites).toBe(1);
    const after = await options();
    expect(after['QuotaForNewUser']).toBe('123456');
    expect(JSON.parse(after['GroupRatio'] ?? '')).toEqual(ratios);
    // A reload shows the stored values.
    await root.reload();
    await root.getByRole('tab', { name: 'Operation' }).click();
    await expectValue(root.getByRole('tabpanel').getByLabel('Quota for new users', { exact: true }), '123456');
    await h.screenshot(root, 'auth-4-settings-saved');
  });
});

async function expectValue(locator: ReturnType<Page['locator']>, value: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const current = await locator.inputValue();
    if (current.replace(/,/g, '') === value) return;
    if (Date.now() > deadline) throw new Error(`expected input value ${value}, got ${current}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
