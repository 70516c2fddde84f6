import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Issue #12: per-channel capacity set in the channel form (max concurrency, RPM, TPM), against
 * the real admin service and relay (compiled, SQLite, embedded mode): the fields reach the API,
 * the list shows them, an edit changes and clears them, the relay refuses a request beyond the
 * channel's capacity, and the form speaks Chinese too.
 */

const ROOT_PASSWORD = 'E2e-capacity-Pass1';
const CHANNEL_NAME = 'capped-upstream';
/** The fake upstream stalls after one chunk, holding the channel's only slot until the client leaves. */
const MODEL = 'cap-e2e-stall-1';

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
}
interface ChannelView {
  id: number;
  name: string;
  max_concurrency: number;
  rpm: number;
  tpm: number;
}

async function waitUntil<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('channel capacity in the console (real admin and relay, SQLite)', () => {
  let stack: GatewayStack;
  let h: ConsoleHarness;
  const pages: Page[] = [];

  beforeAll(async () => {
    stack = await startGatewayStack({ env: { INITIAL_ROOT_PASSWORD: ROOT_PASSWORD } });
    try {
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }, 900_000);

  afterAll(async () => {
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'channel-capacity-services.log'), stack.output());
    }
    for (const p of pages) await p.context().close().catch(() => undefined);
    await h?.stop();
    await stack?.stop();
  });

  async function signIn(locale = 'en-US'): Promise<Page> {
    const page = await h.newPage({ locale });
    pages.push(page);
    await page.goto(h.url + '/login');
    await page.locator('#username').fill('root');
    await page.locator('#password').fill(ROOT_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/dashboard');
    return page;
  }

  /** An admin API call through the console's `/api` proxy with the page's session. */
  async function api<T>(page: Page, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await page.request.fetch(h.url + path, { method, data: body });
    const env = (await res.json()) as Envelope<T>;
    if (!env.success) throw new Error(`${method} ${path}: ${env.message}`);
    return env.data;
  }
  const channel = async (page: Page) => (await api<ChannelView[]>(page, 'GET', '/api/channel/?p=0')).find((c) => c.name === CHANNEL_NAME);

  it('sets max concurrency, RPM and TPM in the channel form; the list shows them; the relay holds the channel to them', async () => {
    const page = await signIn();
    await page.goto(h.url + '/channel');
    await page.getByRole('button', { name: 'New channel' }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: 'New channel' });
    await drawer.getByLabel('Name', { exact: true }).fill(CHANNEL_NAME);
    await drawer.getByLabel('API key').fill('sk-upstream-capacity');
    await drawer.getByLabel('Base URL').fill(stack.upstream.url);
    await drawer.getByText('Clear', { exact: true }).click();
    const models = drawer.getByLabel('Models');
    await models.click();
    await models.pressSequentially(MODEL);
    await models.press('Enter');
    await page.keyboard.press('Escape');
    // Unlimited (0) until the operator says otherwise.
    for (const label of ['Max concurrency', 'Requests per minute (RPM)', 'Tokens per minute (TPM)']) expect(await drawer.getByLabel(label).inputValue()).toBe('0');
    await drawer.getByText('A channel at its capacity is skipped for another channel of the model', { exact: false }).waitFor();
    await drawer.getByLabel('Max concurrency').fill('1');
    await drawer.getByLabel('Requests per minute (RPM)').fill('600');
    await drawer.getByLabel('Tokens per minute (TPM)').fill('150000');
    await drawer.getByText('Capacity', { exact: true }).click();
    await drawer.getByText('Capacity', { exact: true }).scrollIntoViewIfNeeded();
    await h.screenshot(page, 'channel-capacity-form');
    await drawer.getByTestId('channel-save').click();
    await drawer.waitFor({ state: 'hidden' });

    const row = page.getByRole('row').filter({ hasText: CHANNEL_NAME });
    await row.getByTestId('channel-capacity').filter({ hasText: '1 at once · 600 RPM · 150,000 TPM' }).waitFor();
    expect(await channel(page)).toMatchObject({ max_concurrency: 1, rpm: 600, tpm: 150_000 });
    await h.screenshot(page, 'channel-capacity-list');

    // The relay holds the channel to one request at a time: a second one is refused while the first streams.
    const token = await api<{ key: string }>(page, 'POST', '/api/token/', { name: 'capacity', unlimited_quota: true });
    const call = async () => {
      const controller = new AbortController();
      const res = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer sk-${token.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
        signal: controller.signal,
      });
      const body = res.status === 200 ? null : ((await res.json()) as { error: { code: string } });
      // The answer holds the Response: collecting it would cancel the stream and free the slot.
      return { status: res.status, code: body?.error.code, retryAfter: res.headers.get('retry-after'), res, abort: () => controller.abort() };
    };
    // The relay picks the new channel up from the cache bus.
    const first = await waitUntil('the relay routes to the new channel', async () => {
      const r = await call();
      if (r.status === 200) return r;
      r.abort();
      return undefined;
    });
    try {
      expect(await call()).toMatchObject({ status: 503, code: 'channel_capacity_exceeded', retryAfter: '1' });
    } finally {
      first.abort();
    }
  });

  it('an edit shows the stored values, changes one and clears another', async () => {
    const page = await signIn();
    await page.goto(h.url + '/channel');
    const row = page.getByRole('row').filter({ hasText: CHANNEL_NAME });
    await row.getByRole('button', { name: 'Edit' }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: `Edit channel ${CHANNEL_NAME}` });
    expect(await drawer.getByLabel('Max concurrency').inputValue()).toBe('1');
    expect(await drawer.getByLabel('Requests per minute (RPM)').inputValue()).toBe('600');
    expect(await drawer.getByLabel('Tokens per minute (TPM)').inputValue()).toBe('150000');
    await drawer.getByLabel('Max concurrency').fill('4');
    // An emptied field means no limit.
    await drawer.getByLabel('Requests per minute (RPM)').fill('');
    await drawer.getByTestId('channel-save').click();
    await drawer.waitFor({ state: 'hidden' });
    await row.getByTestId('channel-capacity').filter({ hasText: '4 at once · 150,000 TPM' }).waitFor();
    expect(await channel(page)).toMatchObject({ max_concurrency: 4, rpm: 0, tpm: 150_000 });
  });

  it('labels and help in Chinese', async () => {
    const page = await signIn('zh-CN');
    await page.goto(h.url + '/channel');
    await page.getByRole('row').filter({ hasText: CHANNEL_NAME }).getByTestId('channel-capacity').filter({ hasText: '并发 4 · 150,000 TPM' }).waitFor();
    await page.getByRole('button', { name: '添加渠道' }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: '添加渠道' });
    for (const label of ['最大并发数', '每分钟请求数 (RPM)', '每分钟 Token 数 (TPM)']) expect(await drawer.getByLabel(label).inputValue()).toBe('0');
    await drawer.getByText('达到容量的渠道会被跳过', { exact: false }).scrollIntoViewIfNeeded();
    await h.screenshot(page, 'channel-capacity-form-zh');
  });
});
