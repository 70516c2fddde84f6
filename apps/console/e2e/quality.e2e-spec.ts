import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_MONEY_DISPLAY, formatQuota, moneyDisplayFromStatus, type MoneyDisplay } from '../lib/money';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, SWEEP_TIMEOUT_MS, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Issue 15 in Chromium against the real admin service and relay (SQLite) and a fake OpenAI:
 * money strings against the API's raw numbers, the settings page's all-or-nothing save with
 * errors beside their fields, the tab title from SystemName, no English left on the Chinese
 * pages, and axe-core with no critical or serious violation on any page at desktop and phone
 * widths in both languages. Screenshots of every page land in test-results/console/.
 */

const ROOT_PASSWORD = 'E2e-quality-Root1';
const UPSTREAM_KEY = 'sk-upstream-quality-key';
const MODEL = 'gpt-4o-mini';
const CHANNEL_NAME = 'quality-openai';
const TOKEN_NAME = 'quality-token';
const SYSTEM_NAME = 'Quality Gateway';

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const LOCALES = { en: 'en-US', zh: 'zh-CN' } as const;

/** Every console page a root user can open, and the public ones (signed out). */
const SIGNED_IN_PAGES = ['/dashboard', '/token', '/log', '/topup', '/setting', '/channel', '/user', '/redemption', '/system', '/about'];
const PUBLIC_PAGES = ['/', '/login', '/register', '/reset'];

/**
 * Words allowed on a Chinese page: proper nouns, product and protocol names, units, and the test's
 * own data (channel, token and user names, model ids). Acronyms (all capitals) and hyphenated
 * identifiers (model ids, header names) are allowed by shape.
 */
const ALLOWED_WORDS = new Set(
  [
    'One', 'API', 'TS', 'OpenAI', 'GitHub', 'WeChat', 'Turnstile', 'Cloudflare', 'SMTP', 'JSON', 'HTML', 'Markdown', 'URL', 'Base', 'Logo', 'USD', 'CNY',
    'Token', 'Tokens', 'RPM', 'TPM', 'ID', 'Client', 'Secret', 'Site', 'Key', 'Server', 'Message', 'Pusher', 'TLS', 'STARTTLS', 'NextChat', 'Quality', 'Gateway',
    'root', 'quality', 'openai', 'token', 'gpt', 'mini', 'max_tokens', 'default', 'vip', 'svip', 'sk', 'ms', 'ep', 'Authorization', 'SDK',
    // The language switch is labelled in both languages on purpose ("语言 / Language"): findable by someone who reads neither well.
    'Language', 'OAuth',
    // The chat message role a channel's system prompt replaces.
    'system',
    // Root's display name (data).
    'User',
  ].map((w) => w.toLowerCase()),
);

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
  code?: string;
}
interface SelfView {
  quota: number;
  used_quota: number;
  request_count: number;
}
interface LogView {
  quota: number;
  model_name: string;
  type: number;
}
interface OptionView {
  key: string;
  value: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function waitUntil<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('console quality: money, settings, language, title and accessibility (real admin and relay, SQLite)', () => {
  let stack: GatewayStack;
  let h: ConsoleHarness;
  let root: Page;
  let tokenKey = '';
  const contexts: BrowserContext[] = [];

  async function api<T>(page: Page, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Envelope<T>> {
    const res = await page.request.fetch(h.url + path, { method, data: body, headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    return (await res.json()) as Envelope<T>;
  }
  async function data<T>(path: string): Promise<T> {
    const res = await api<T>(root, 'GET', path);
    if (!res.success) throw new Error(`GET ${path} failed: ${res.message}`);
    return res.data;
  }
  async function options(): Promise<Record<string, string>> {
    return Object.fromEntries((await data<OptionView[]>('/api/option/')).map((o) => [o.key, o.value]));
  }
  async function setOptions(values: Record<string, string>): Promise<void> {
    const res = await api<unknown>(root, 'PUT', '/api/option/batch', { options: Object.entries(values).map(([key, value]) => ({ key, value })) });
    if (!res.success) throw new Error(`option batch refused: ${res.message}`);
  }
  async function display(): Promise<MoneyDisplay> {
    return moneyDisplayFromStatus(await data<Parameters<typeof moneyDisplayFromStatus>[0]>('/api/status'));
  }
  /** A page in a fresh context; CSP bypassed so axe-core can be injected. */
  async function freshPage(options: { locale?: string; viewport?: { width: number; height: number }; signedIn?: boolean } = {}): Promise<Page> {
    const page = await h.newPage({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? VIEWPORTS.desktop, bypassCSP: true });
    contexts.push(page.context());
    if (options.signedIn) {
      const login = await api<unknown>(page, 'POST', '/api/user/login', { username: 'root', password: ROOT_PASSWORD });
      expect(login).toMatchObject({ success: true });
    }
    return page;
  }
  /** Opens a page and waits until its data has loaded (no spinner, the tab title set). */
  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(h.url + path);
    await page.waitForFunction((name) => document.title.endsWith(name), SYSTEM_NAME, { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-spinning, .ant-skeleton-active').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  }
  /** The form item holding the field labelled `label`, in `scope` (the inner locator of `has` is relative, so it comes from the page). */
  const formItem = (page: Page, scope: ReturnType<Page['locator']>, label: string) =>
    scope.locator('.ant-form-item').filter({ has: page.locator('label', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }) });

  beforeAll(async () => {
    stack = await startGatewayStack({ upstream: { apiKey: UPSTREAM_KEY }, env: { INITIAL_ROOT_PASSWORD: ROOT_PASSWORD } });
    try {
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    root = await freshPage({ signedIn: true });
    await setOptions({ SystemName: SYSTEM_NAME });
    const channel = await api<unknown>(root, 'POST', '/api/channel/', { type: 1, name: CHANNEL_NAME, key: UPSTREAM_KEY, base_url: stack.upstream.url, models: MODEL, group: 'default' });
    expect(channel).toMatchObject({ success: true });
    const token = await api<{ id: number }>(root, 'POST', '/api/token/', { name: TOKEN_NAME, unlimited_quota: true, expired_time: -1 });
    expect(token).toMatchObject({ success: true });
    tokenKey = `sk-${(await data<{ key: string }>(`/api/token/${token.data.id}`)).key}`;
  }, 900_000);

  afterAll(async () => {
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'quality-services.log'), stack.output());
    }
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.stop();
    await stack?.stop();
  });

  it('money: after two paid calls the dashboard, the log rows and the total show the API’s numbers through the one formatter', async () => {
    const before = await data<SelfView>('/api/user/self');
    // A handful of tokens of gpt-4o-mini: a charge far below a cent, which two decimals would show as $0.00.
    stack.upstream.setKnobs({ promptTokens: 12 });
    const client = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: tokenKey, maxRetries: 0, timeout: 30_000 });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `paid call ${i}` }] });
    const after = await waitUntil('two calls settled', async () => {
      const self = await data<SelfView>('/api/user/self');
      return self.request_count >= before.request_count + 2 && self.used_quota > before.used_quota ? self : undefined;
    });
    const logs = await waitUntil('two consume logs', async () => {
      const rows = await data<LogView[]>('/api/log/self?p=0&type=2');
      return rows.length >= 2 ? rows : undefined;
    });
    const stat = await data<{ quota: number }>('/api/log/self/stat?type=2');
    const usd = await display();
    expect(usd).toEqual(DEFAULT_MONEY_DISPLAY);

    await visit(root, '/dashboard');
    const used = formatQuota(after.used_quota, usd);
    expect(used).not.toBe('$0.00');
    await root.getByTestId('stat-used').filter({ hasText: used }).waitFor();
    // Root's near-unlimited balance is grouped.
    const left = formatQuota(after.quota, usd);
    expect(left).toMatch(/^\$\d{1,3}(,\d{3})+\.\d{2}$/);
    await root.getByTestId('stat-quota').filter({ hasText: left }).waitFor();
    await h.screenshot(root, 'quality-money-dashboard');

    await visit(root, '/log');
    for (const log of logs) await root.getByRole('cell', { name: formatQuota(log.quota, usd), exact: true }).first().waitFor();
    // The total is the formatter applied to the API's sum, which is the sum of the rows: they agree.
    expect(stat.quota).toBe(logs.reduce((sum, l) => sum + l.quota, 0));
    await root.locator('.ant-statistic').filter({ hasText: formatQuota(stat.quota, usd) }).first().waitFor();
    await h.screenshot(root, 'quality-money-logs');

    // Raw units: grouped integers, never "500000.0B".
    await setOptions({ DisplayInCurrencyEnabled: 'false' });
    const units = await display();
    await visit(root, '/dashboard');
    await root.getByTestId('stat-quota').filter({ hasText: formatQuota(after.quota, units) }).waitFor();
    expect(formatQuota(after.quota, units)).toMatch(/^\d{1,3}(,\d{3})+$/);
    // CNY at the configured rate.
    await setOptions({ DisplayInCurrencyEnabled: 'true', DisplayCurrency: 'CNY', USDExchangeRate: '7.1' });
    const cny = await display();
    await visit(root, '/dashboard');
    await root.getByTestId('stat-used').filter({ hasText: formatQuota(after.used_quota, cny) }).waitFor();
    expect(formatQuota(after.used_quota, cny)).toMatch(/^¥0\.0/);
    await h.screenshot(root, 'quality-money-cny');
    await setOptions({ DisplayCurrency: 'USD' });
  });

  it('settings: a value the form refuses is shown beside its field and nothing is sent', async () => {
    const before = await options();
    let writes = 0;
    const count = (req: { method(): string; url(): string }) => {
      if (req.method() === 'PUT' && req.url().includes('/api/option/')) writes++;
    };
    root.on('request', count);
    await visit(root, '/system');
    await root.getByRole('tab', { name: 'Other' }).click();
    const pane = root.getByRole('tabpanel');
    await pane.getByLabel('System name', { exact: true }).fill('Half Saved Name');
    await pane.getByLabel('Notice', { exact: true }).fill('A notice that must not be saved');
    await pane.getByLabel('Logo URL', { exact: true }).fill('javascript:alert(1)');
    await pane.getByRole('button', { name: 'Save' }).click();
    await formItem(root, pane, 'Logo URL').locator('.ant-form-item-explain-error').filter({ hasText: 'Enter an http:// or https:// address' }).waitFor();
    await pane.getByTestId('options-not-saved').waitFor();
    // Only the refused field carries an error.
    expect(await pane.locator('.ant-form-item-has-error').count()).toBe(1);
    await h.screenshot(root, 'quality-settings-refused-by-form');
    root.off('request', count);
    expect(writes).toBe(0);
    expect(await options()).toEqual(before);
  });

  it('settings: a value the API refuses saves nothing and the API’s reason shows beside its field', async () => {
    const before = await options();
    await visit(root, '/system');
    await root.getByRole('tab', { name: 'System' }).click();
    const pane = root.getByRole('tabpanel');
    await pane.getByLabel('SMTP server', { exact: true }).fill('smtp.quality.example');
    await pane.getByLabel('Turnstile site key', { exact: true }).fill('site-key-without-secret');
    // The secret is never listed, so only the API knows it is missing.
    await pane.getByRole('switch', { name: 'Turnstile check', exact: true }).click();
    await pane.getByRole('button', { name: 'Save' }).click();
    const error = formItem(root, pane, 'Turnstile check').locator('.ant-form-item-explain-error');
    await error.filter({ hasText: 'Set Turnstile site key, Turnstile secret key first' }).waitFor();
    await pane.getByTestId('options-not-saved').waitFor();
    await h.screenshot(root, 'quality-settings-refused-by-api');
    expect(await options()).toEqual(before);

    // In Chinese the same refusal is translated, labels included.
    const zh = await freshPage({ locale: LOCALES.zh, signedIn: true });
    await visit(zh, '/system');
    await zh.getByRole('tab', { name: '系统设置' }).click();
    const zhPane = zh.getByRole('tabpanel');
    await zhPane.getByLabel('Turnstile 站点密钥', { exact: true }).fill('site-key-without-secret');
    await zhPane.getByRole('switch', { name: '启用 Turnstile 校验', exact: true }).click();
    await zhPane.getByRole('button', { name: /保\s*存/ }).click();
    await formItem(zh, zhPane, '启用 Turnstile 校验').locator('.ant-form-item-explain-error').filter({ hasText: '请先设置 Turnstile 站点密钥、Turnstile 私密密钥' }).waitFor();
    await h.screenshot(zh, 'quality-settings-refused-by-api-zh');
    expect(await options()).toEqual(before);

    // Fixed, the whole tab saves at once.
    await pane.getByRole('switch', { name: 'Turnstile check', exact: true }).click();
    await pane.getByRole('button', { name: 'Save' }).click();
    await root.locator('.ant-message').getByText('2 settings saved').waitFor();
    expect(await options()).toMatchObject({ SMTPServer: 'smtp.quality.example', TurnstileSiteKey: 'site-key-without-secret', TurnstileCheckEnabled: 'false' });
  });

  it('ChatLink: the token list opens the chat app with the token’s key and the relay filled in', async () => {
    await visit(root, '/token');
    expect(await root.getByTestId('token-chat').count()).toBe(0);
    // Any page will do as the chat app: the test reads the address it was opened with.
    await setOptions({ ChatLink: `${h.url}/about` });
    const page = await freshPage({ signedIn: true });
    await visit(page, '/token');
    const row = page.getByRole('row').filter({ hasText: TOKEN_NAME });
    const [popup] = await Promise.all([page.waitForEvent('popup'), row.getByTestId('token-chat').click()]);
    await popup.waitForURL(/settings=/);
    const settings = JSON.parse(decodeURIComponent(new URL(popup.url()).hash.split('settings=')[1] ?? '')) as { key: string; url: string };
    expect(settings).toEqual({ key: tokenKey, url: stack.relayUrl });
    await popup.close();
    await setOptions({ ChatLink: '' });
  });

  it('server errors: the API answers in English with a code, the Chinese console shows them in Chinese', async () => {
    const page = await freshPage({ locale: LOCALES.zh });
    await visit(page, '/login');
    await page.getByLabel('用户名', { exact: true }).fill('root');
    await page.getByLabel('密码', { exact: true }).fill('not-the-password');
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/user/login'));
    await page.getByTestId('login-submit').click();
    expect(await (await answer).json()).toMatchObject({ success: false, message: 'wrong username or password', code: 'unauthenticated' });
    await page.getByTestId('login-error').filter({ hasText: '用户名或密码错误' }).waitFor();
    // A redemption code that does not exist: translated on the top-up page too.
    const zhRoot = await freshPage({ locale: LOCALES.zh, signedIn: true });
    await visit(zhRoot, '/topup');
    await zhRoot.getByPlaceholder('32 位兑换码').fill('no-such-redemption-code');
    await zhRoot.getByRole('button', { name: /兑\s*换/ }).click();
    await zhRoot.getByRole('alert').filter({ hasText: /兑换码无效|兑换码不存在/ }).waitFor();
    await h.screenshot(zhRoot, 'quality-zh-server-error');
  });

  it('title: the tab title carries SystemName on every page, and a rename reaches it', async () => {
    for (const path of SIGNED_IN_PAGES) {
      await visit(root, path);
      expect(await root.title()).toMatch(new RegExp(`^.+ - ${SYSTEM_NAME}$`));
    }
    await setOptions({ SystemName: 'Renamed Quality' });
    const page = await freshPage({ signedIn: true });
    await page.goto(h.url + '/token');
    await page.waitForFunction(() => document.title === 'Tokens - Renamed Quality', undefined, { timeout: 30_000 });
    await setOptions({ SystemName: SYSTEM_NAME });
  });

  describe.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])('every page in %s', (lang) => {
    it.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s width: one <h1>, axe-core finds no critical or serious violation, and (zh) no English', async (size) => {
      const problems: string[] = [];
      const pages: [string, boolean][] = [...SIGNED_IN_PAGES.map((p): [string, boolean] => [p, true]), ...PUBLIC_PAGES.map((p): [string, boolean] => [p, false])];
      const signedIn = await freshPage({ locale: LOCALES[lang], viewport: VIEWPORTS[size], signedIn: true });
      const signedOut = await freshPage({ locale: LOCALES[lang], viewport: VIEWPORTS[size] });
      for (const [path, auth] of pages) {
        const page = auth ? signedIn : signedOut;
        await visit(page, path);
        problems.push(...(await checkPage(page, path, lang)));
        await h.screenshot(page, `quality-${lang}-${size}-${path === '/' ? 'home' : path.slice(1)}`);
      }
      // Every tab of the settings page, and the drawers and modals of their pages (channel and token forms).
      await visit(signedIn, '/system');
      for (const [index, tab] of ['system', 'other'].entries()) {
        await signedIn.getByRole('tab').nth(index + 1).click();
        await signedIn.getByTestId(`options-${tab}`).waitFor();
        problems.push(...(await checkPage(signedIn, `/system (${tab})`, lang)));
        await h.screenshot(signedIn, `quality-${lang}-${size}-system-${tab}`);
      }
      await visit(signedIn, '/token');
      await signedIn.getByTestId('token-create').click();
      await signedIn.locator('.ant-modal-wrap').last().waitFor();
      await signedIn.waitForTimeout(400); // the modal's opening animation; axe reads colours mid-fade otherwise
      problems.push(...(await checkPage(signedIn, '/token (form)', lang)));
      await h.screenshot(signedIn, `quality-${lang}-${size}-token-form`);
      await visit(signedIn, '/channel');
      await signedIn.getByRole('button', { name: lang === 'zh' ? /添加渠道/ : /New channel/ }).click();
      await signedIn.locator('.ant-drawer-open').waitFor();
      await signedIn.waitForTimeout(400); // the drawer's opening animation; axe reads colours mid-fade otherwise
      problems.push(...(await checkPage(signedIn, '/channel (form)', lang)));
      await h.screenshot(signedIn, `quality-${lang}-${size}-channel-form`);
      expect(problems).toEqual([]);
    }, SWEEP_TIMEOUT_MS);
  });

  /** One <h1>, no critical/serious axe violation and, in Chinese, no untranslated English. */
  async function checkPage(page: Page, path: string, lang: keyof typeof LOCALES): Promise<string[]> {
    const problems: string[] = [];
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) problems.push(`${path}: ${h1} <h1> elements`);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
    });
    for (const v of violations) {
      if (v.impact === 'critical' || v.impact === 'serious') problems.push(`${path}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
    }
    if (lang === 'zh') for (const text of await englishText(page)) problems.push(`${path}: untranslated "${text}"`);
    return problems;
  }

  /** Visible text and labelling attributes with English words outside the allow-list. */
  async function englishText(page: Page): Promise<string[]> {
    const texts = await page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        // Data, not UI text: the operator's name and content, the user's own name, and values in inputs.
        if (!el || el.closest('script, style, code, pre, .ant-select-selection-item, [data-testid="system-name"], [data-testid="user-menu"], .markdown-body')) continue;
        // Inactive tab panes and closed popups are in the DOM but not on screen.
        if (!el.checkVisibility({ visibilityProperty: true })) continue;
        if (el.closest('input, textarea')) continue;
        const text = node.textContent?.trim();
        if (text) out.push(`${text} <${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}>`);
      }
      for (const el of Array.from(document.querySelectorAll('[placeholder], [aria-label], [title]'))) {
        // Library internals with English labels antd and recharts hard-code: icon glyph names
        // (role=img), InputNumber's step arrows, the clear buttons of inputs and selects, chart
        // legend glyphs. Not ours to translate (noted in the console README).
        if (el.closest('.anticon, .ant-input-number-action, [class*="-clear"], .recharts-wrapper, [data-testid="user-menu"]')) continue;
        for (const attr of ['placeholder', 'aria-label', 'title']) {
          const value = el.getAttribute(attr);
          if (value) out.push(`${value} <${el.tagName.toLowerCase()} ${attr}>`);
        }
      }
      return out;
    });
    const bad = new Set<string>();
    for (const text of texts) {
      // URLs, e-mail addresses, keys, paths, host names, model ids, versions and constant names are not words to translate.
      const shown = text.replace(/ <[^>]*>$/, '');
      const words = shown
        .replace(/https?:\/\/\S*|\S+@\S+|sk-\S+|(?:\/[\w.-]+)+|\b[\w-]+(?:\.[\w-]+)+\b|\b[\w.-]*\d[\w.-]*\b|\{[^}]*\}|\b[A-Za-z]+(?:-[A-Za-z]+)+\b|\b[A-Z][A-Z0-9_]+\b/g, ' ')
        .match(/[A-Za-z][A-Za-z_']+/g);
      if (words?.some((w) => !ALLOWED_WORDS.has(w.toLowerCase()))) bad.add(text.slice(0, 120));
    }
    return [...bad];
  }
});
