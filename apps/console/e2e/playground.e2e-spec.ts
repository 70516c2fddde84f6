import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIResponse, Page } from 'playwright-core';
import { formatQuota, moneyDisplayFromStatus } from '../lib/money';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, SWEEP_TIMEOUT_MS, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Issue #15 part 2 against the real admin service and relay (compiled, SQLite) and a fake OpenAI
 * upstream: the playground streams an answer through the relay with the token the user picks and
 * shows the logged cost; the models page lists the group's models at the API's prices; the
 * channel list sorts, tests with a chosen model and shows the test-all run's progress.
 */

const ROOT_PASSWORD = 'E2e-playground-Pass1';
const UPSTREAM_KEY = 'sk-upstream-playground';
const MODELS = ['gpt-4o-mini', 'gpt-4o'];
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const LOCALES = { en: 'en-US', zh: 'zh-CN' } as const;

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
}
interface PricedModel {
  model: string;
  input_quota_per_1m: number;
  output_quota_per_1m: number;
}
interface LogRow {
  model_name: string;
  token_name: string;
  quota: number;
  request_id: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function waitUntil<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('playground, models and channel list in the console (real admin and relay, SQLite)', () => {
  let stack: GatewayStack;
  let h: ConsoleHarness;
  let root: Page;
  const contexts: Page[] = [];

  async function json<T>(res: APIResponse): Promise<Envelope<T>> {
    return (await res.json()) as Envelope<T>;
  }
  async function api<T>(page: Page, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const env = await json<T>(await page.request.fetch(h.url + path, { method, data: body }));
    if (!env.success) throw new Error(`${method} ${path}: ${env.message}`);
    return env.data;
  }
  async function signedIn(options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Page> {
    const page = await h.newPage({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? VIEWPORTS.desktop, bypassCSP: true });
    contexts.push(page);
    await api(page, 'POST', '/api/user/login', { username: 'root', password: ROOT_PASSWORD });
    return page;
  }
  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(h.url + path);
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  }
  /** One <h1> and no critical or serious axe-core violation. */
  async function accessibility(page: Page, path: string): Promise<string[]> {
    const problems: string[] = [];
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) problems.push(`${path}: ${h1} <h1> elements`);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
    });
    for (const v of violations) if (v.impact === 'critical' || v.impact === 'serious') problems.push(`${path}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
    return problems;
  }
  /** Picks `option` in the antd Select with the given id. */
  async function choose(page: Page, id: string, option: string): Promise<void> {
    await page.locator(`#${id}`).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${option}$`) }).click();
  }

  beforeAll(async () => {
    // Five chunks 800 ms apart: the answer is visibly incomplete while it streams.
    stack = await startGatewayStack({ upstream: { apiKey: UPSTREAM_KEY, knobs: { chunkDelayMs: 800 } }, env: { INITIAL_ROOT_PASSWORD: ROOT_PASSWORD } });
    try {
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    root = await signedIn();
    await api(root, 'POST', '/api/channel/', { type: 1, name: 'pg-b', key: UPSTREAM_KEY, base_url: stack.upstream.url, models: MODELS.join(','), group: 'default', priority: 1 });
    await api(root, 'POST', '/api/channel/', { type: 1, name: 'pg-a', key: 'sk-wrong-upstream-key', base_url: stack.upstream.url, models: 'gpt-4o-mini', group: 'default', priority: 0 });
    await api(root, 'POST', '/api/channel/', { type: 1, name: 'pg-vip', key: UPSTREAM_KEY, base_url: stack.upstream.url, models: 'vip-only-model', group: 'vip' });
    await api(root, 'POST', '/api/token/', { name: 'playground-token', unlimited_quota: true, expired_time: -1 });
  }, 900_000);

  afterAll(async () => {
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'playground-services.log'), stack.output());
    }
    for (const p of contexts) await p.context().close().catch(() => undefined);
    await h?.stop();
    await stack?.stop();
  });

  it('the playground streams an answer through the relay, then shows the cost of the logged request', async () => {
    const keyRequests: string[] = [];
    root.on('request', (r) => {
      if (r.url().startsWith(stack.relayUrl)) keyRequests.push(r.url());
    });
    await visit(root, '/playground');
    await choose(root, 'playground-token', 'playground-token');
    await choose(root, 'playground-model', 'gpt-4o');
    await root.locator('#playground-prompt').fill('Say hello');
    await root.getByRole('button', { name: 'Send' }).click();
    const answer = root.getByTestId('playground-answer');
    // Streaming: the first piece is shown while the last has not arrived.
    await answer.filter({ hasText: 'tok0' }).waitFor();
    expect(await answer.textContent()).not.toContain('tok4');
    await h.screenshot(root, 'playground-streaming');
    await answer.filter({ hasText: 'tok0 tok1 tok2 tok3 tok4' }).waitFor();
    await root.getByTestId('playground-cost').and(root.locator('[data-logged="true"]')).waitFor({ timeout: 30_000 });

    const logs = await api<LogRow[]>(root, 'GET', '/api/log/self?p=0&type=2');
    const row = logs.find((l) => l.token_name === 'playground-token' && l.model_name === 'gpt-4o');
    expect(row).toBeDefined();
    const display = moneyDisplayFromStatus(await api<Parameters<typeof moneyDisplayFromStatus>[0]>(root, 'GET', '/api/status'));
    expect(await root.getByTestId('playground-cost').textContent()).toBe(formatQuota(row?.quota ?? -1, display));
    expect(await root.getByTestId('playground-ttft').textContent()).toMatch(/^\d+ ms$/);
    expect(await root.getByTestId('playground-latency').textContent()).toMatch(/^\d+ ms$/);
    // The key went in a header, never in a URL.
    expect(keyRequests.length).toBeGreaterThan(0);
    for (const url of keyRequests) expect(url).not.toMatch(/sk-/);
    await h.screenshot(root, 'playground-done');
  });

  it('the models page lists exactly the group’s models at the API’s prices (en and zh)', async () => {
    const priced = await api<PricedModel[]>(root, 'GET', '/api/user/models');
    expect(priced.map((m) => m.model)).toEqual([...MODELS].sort());
    const display = moneyDisplayFromStatus(await api<Parameters<typeof moneyDisplayFromStatus>[0]>(root, 'GET', '/api/status'));
    for (const locale of Object.values(LOCALES)) {
      const page = locale === 'en-US' ? root : await signedIn({ locale });
      await visit(page, '/models');
      const rows = page.locator('tbody tr.ant-table-row');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(priced.length);
      for (const m of priced) {
        const row = rows.filter({ has: page.getByText(m.model, { exact: true }) });
        expect(await row.getByTestId('input-price').textContent()).toBe(formatQuota(m.input_quota_per_1m, display));
        expect(await row.getByTestId('output-price').textContent()).toBe(formatQuota(m.output_quota_per_1m, display));
      }
      expect(await page.getByText('vip-only-model').count()).toBe(0);
      await h.screenshot(page, `models-${locale}`);
    }
  });

  it('channels: columns sort, Test uses the chosen model and names it, Test all shows its progress', async () => {
    await visit(root, '/channel');
    const names = async () => (await root.locator('tbody tr.ant-table-row td:nth-child(2)').allTextContents()).map((s) => s.trim());
    await root.locator('th').filter({ hasText: /^Name$/ }).click();
    expect(await names()).toEqual(['pg-a', 'pg-b', 'pg-vip']);
    await root.locator('th').filter({ hasText: /^Name$/ }).click();
    expect(await names()).toEqual(['pg-vip', 'pg-b', 'pg-a']);
    await root.locator('th').filter({ hasText: /^ID$/ }).click();
    expect(await names()).toEqual(['pg-b', 'pg-a', 'pg-vip']);
    await h.screenshot(root, 'channels-sorted');

    const row = root.getByRole('row').filter({ hasText: 'pg-b' });
    await row.getByLabel('Model to test pg-b with').click();
    await root.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^gpt-4o$/ }).click();
    await row.getByRole('button', { name: 'Test' }).click();
    await root.locator('.ant-message').filter({ hasText: /pg-b passed with gpt-4o in/ }).waitFor();
    await h.screenshot(root, 'channels-test-model');

    await root.getByRole('button', { name: 'Test all', exact: true }).click();
    const progress = root.getByTestId('test-all-progress');
    await progress.waitFor();
    await progress.filter({ hasText: /Test of all channels finished: 2 of 3 passed, 1 failed/ }).waitFor({ timeout: 60_000 });
    // The row keeps the last test's outcome: the channel with the wrong key says it failed, and why.
    await visit(root, '/channel');
    const failed = root.getByRole('row').filter({ hasText: 'pg-a' }).getByTestId('channel-test-error');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/^Failed.*401/);
    expect(await root.getByRole('row').filter({ hasText: 'pg-b' }).getByTestId('channel-test-error').count()).toBe(0);
    await h.screenshot(root, 'channels-test-all-done');
  });

  it('logs: the detail drawer shows every field of the row (en and zh)', async () => {
    const logs = await api<(LogRow & { id: number; prompt_tokens: number; completion_tokens: number; elapsed_time: number })[]>(root, 'GET', '/api/log/self?p=0&type=2');
    const row = logs.find((l) => l.model_name === 'gpt-4o');
    expect(row).toBeDefined();
    for (const [locale, labels] of [['en-US', { reset: 'No', stream: 'Yes' }], ['zh-CN', { reset: '否', stream: '是' }]] as const) {
      const page = locale === 'en-US' ? root : await signedIn({ locale });
      await visit(page, '/log');
      await page.getByRole('button', { name: locale === 'en-US' ? `View log ${row?.id}` : `查看日志 ${row?.id}` }).click();
      const detail = page.getByTestId('log-detail');
      await detail.waitFor();
      const text = (await detail.textContent()) ?? '';
      for (const value of [String(row?.id), 'playground-token', 'gpt-4o', String(row?.prompt_tokens), String(row?.completion_tokens), String(row?.quota), row?.request_id ?? '']) expect(text).toContain(value);
      expect(await detail.getByTestId('log-detail-system-prompt-reset').textContent()).toBe(labels.reset);
      await h.screenshot(page, `logs-detail-${locale}`);
      await page.keyboard.press('Escape');
    }
  });

  it('redemption codes: edit name, quota and status; export the selection as CSV at any time', async () => {
    await api(root, 'POST', '/api/redemption/', { name: 'spring', quota: 1000, count: 3 });
    await visit(root, '/redemption');
    const rows = root.locator('tbody tr.ant-table-row').filter({ hasText: 'spring' });
    await rows.first().waitFor();
    await rows.first().getByRole('button', { name: 'Edit spring' }).click();
    const dialog = root.getByRole('dialog').filter({ hasText: 'Edit redemption code spring' });
    await dialog.getByLabel('Name').fill('summer');
    await dialog.getByLabel('Quota').fill('2500');
    await dialog.getByRole('button', { name: /OK/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const codes = await api<{ id: number; name: string; key: string; quota: number; status: number }[]>(root, 'GET', '/api/redemption/?p=0');
    const edited = codes.filter((c) => c.name === 'summer');
    expect(edited).toHaveLength(1);
    expect(edited[0]?.quota).toBe(2500);

    // Export two selected codes, long after they were generated.
    await root.locator('tbody tr.ant-table-row').first().waitFor();
    const springRows = root.locator('tbody tr.ant-table-row').filter({ hasText: 'spring' });
    await springRows.nth(0).locator('.ant-checkbox-input').check();
    await springRows.nth(1).locator('.ant-checkbox-input').check();
    const [download] = await Promise.all([root.waitForEvent('download'), root.getByTestId('redemption-export').click()]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString('utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('id,name,key,quota,status,created_time,redeemed_time');
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) {
      const key = codes.find((c) => line.includes(c.key));
      expect(key?.name).toBe('spring');
    }
    await h.screenshot(root, 'redemption-export');
  });

  it('tokens: the switches show their state both ways and the app links carry the key and the relay URL', async () => {
    await visit(root, '/token');
    const row = root.getByRole('row').filter({ hasText: 'playground-token' });
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = root.locator('.ant-modal-wrap').last();
    const never = dialog.getByRole('switch', { name: 'Never expires' });
    const unlimited = dialog.getByRole('switch', { name: 'Unlimited quota' });
    // Each switch carries its on and off words (antd shows the one of the current state).
    expect(await never.textContent()).toBe('NeverExpires');
    expect(await unlimited.textContent()).toBe('UnlimitedLimited');
    expect(await never.getAttribute('aria-checked')).toBe('true');
    expect(await unlimited.getAttribute('aria-checked')).toBe('true');
    await never.click();
    await unlimited.click();
    expect(await never.getAttribute('aria-checked')).toBe('false');
    expect(await unlimited.getAttribute('aria-checked')).toBe('false');
    await h.screenshot(root, 'token-switches');
    await root.keyboard.press('Escape');
    await root.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await row.getByTestId('token-app-links').click();
    await root.locator('.ant-dropdown:visible').getByText('OpenCat').click();
    await root.locator('.ant-message').filter({ hasText: /Copied/i }).waitFor();
    const link = await root.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(new RegExp(`^opencat://team/join\\?domain=${encodeURIComponent(stack.relayUrl).replace(/[.]/g, '\\.')}&token=sk-\\w+$`));
  });

  it('home: a custom home page keeps the base URL and the sign-up button', async () => {
    await api(root, 'PUT', '/api/option/', { key: 'HomePageContent', value: '# Welcome to our gateway' });
    const page = await h.newPage({ locale: 'en-US' });
    contexts.push(page);
    await visit(page, '/');
    await page.getByTestId('stored-content').filter({ hasText: 'Welcome to our gateway' }).waitFor();
    expect(await page.getByTestId('home-base-url').textContent()).toContain(`${stack.relayUrl}/v1`);
    await page.getByTestId('home-register').waitFor();
    await h.screenshot(page, 'home-custom');
    await api(root, 'PUT', '/api/option/', { key: 'HomePageContent', value: '' });
  });

  it.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s width, the new pages have one <h1> and no serious axe-core violation in en and zh', async (size) => {
    const problems: string[] = [];
    for (const [lang, locale] of Object.entries(LOCALES)) {
      const page = await signedIn({ locale, viewport: VIEWPORTS[size] });
      for (const path of ['/playground', '/models', '/channel', '/log', '/redemption', '/token']) {
        await visit(page, path);
        problems.push(...(await accessibility(page, `${lang} ${path}`)));
        await h.screenshot(page, `part2-${lang}-${size}-${path.slice(1)}`);
      }
    }
    expect(problems).toEqual([]);
  }, SWEEP_TIMEOUT_MS);

  it('GET on a channel job route answers 405 through the console too', async () => {
    const res = await root.request.get(h.url + '/api/channel/test');
    expect(res.status()).toBe(405);
    expect(await res.json()).toMatchObject({ success: false, code: 'method_not_allowed' });
    await waitUntil('nothing running', async () => ((await api<{ test_all: { running: boolean } }>(root, 'GET', '/api/channel/jobs')).test_all.running ? undefined : true));
  });
});
