import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { LogType, RedemptionStatus } from '@oneapi/domain';
import { DEFAULT_MONEY_DISPLAY, formatQuota } from '../lib/money';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Issue 6 "Done means": the console in Chromium against the REAL admin service and relay
 * (compiled, embedded mode on one SQLite file) and a fake OpenAI upstream. The flows build on each
 * other in order, like an operator's first hour: change root's password, add a channel, make a
 * token, call the relay with it, read the logs and dashboard, hand out a redemption code to a new
 * user, switch language.
 */

const DEFAULT_ROOT_PASSWORD = '123456';
const ROOT_PASSWORD = 'E2e-root-Pass1';
const UPSTREAM_KEY = 'sk-upstream-e2e-key';
const CHANNEL_NAME = 'fake-openai';
const TOKEN_NAME = 'e2e-token';
const MODEL = 'gpt-4o-mini';
/**
 * Prompt tokens the fake upstream reports: large enough that the request's cost moves the
 * dashboard's two-decimal dollar figures (a few tokens of gpt-4o-mini would round away).
 */
const PROMPT_TOKENS = 200_000;
const REDEMPTION_QUOTA = 250_000;
const NEW_USER = 'e2e_user1';
const NEW_USER_PASSWORD = 'E2e-user-Pass1';

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
}
interface SelfView {
  id: number;
  username: string;
  quota: number;
  used_quota: number;
  request_count: number;
}
interface LogView {
  id: number;
  type: number;
  model_name: string;
  token_name: string;
  prompt_tokens: number;
  completion_tokens: number;
  quota: number;
}
interface ChannelView {
  id: number;
  name: string;
  response_time: number;
  test_time: number;
  base_url: string;
  models: string;
}
interface TokenView {
  id: number;
  name: string;
  key: string;
  used_quota: number;
}
interface RedemptionView {
  id: number;
  key: string;
  status: number;
  quota: number;
}
interface StatusView {
  quota_per_unit: number;
  display_in_currency: boolean;
}

/** Quota as the console renders it (lib/money.ts; display in currency, quota_per_unit from /api/status). */
function usd(quota: number, perUnit: number): string {
  return formatQuota(quota, { ...DEFAULT_MONEY_DISPLAY, quotaPerUnit: perUnit });
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

describe('console flows against the real admin and relay services (SQLite)', () => {
  let stack: GatewayStack;
  let h: ConsoleHarness;
  /** Root's browser tab, signed in from flow 1 on. */
  let root: Page;
  let perUnit = 500_000;
  const shared = { tokenKey: '', selfBefore: undefined as SelfView | undefined, redemptionKey: '' };

  /** An admin API call through the console's `/api` proxy with the page's cookies (its session). */
  async function api<T>(page: Page, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Envelope<T>> {
    const res = await page.request.fetch(h.url + path, { method, data: body === undefined ? undefined : body });
    const text = await res.text();
    try {
      return JSON.parse(text) as Envelope<T>;
    } catch {
      throw new Error(`${method} ${path} answered ${res.status()} with a non-JSON body: ${text.slice(0, 300)}`);
    }
  }
  async function apiData<T>(page: Page, path: string): Promise<T> {
    const res = await api<T>(page, 'GET', path);
    if (!res.success) throw new Error(`GET ${path} failed: ${res.message}`);
    return res.data;
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(h.url + '/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByTestId('login-submit').click();
  }

  beforeAll(async () => {
    stack = await startGatewayStack({ upstream: { apiKey: UPSTREAM_KEY } });
    try {
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    // Reduced motion: recharts then draws its charts at once, so screenshots show them whole.
    root = await h.newPage({ permissions: ['clipboard-read', 'clipboard-write'], reducedMotion: 'reduce' });
    const status = (await (await fetch(`${stack.adminUrl}/api/status`)).json()) as Envelope<StatusView>;
    perUnit = status.data.quota_per_unit;
    expect(status.data.display_in_currency).toBe(true);
  }, 900_000);

  afterAll(async () => {
    // What the services printed, next to the screenshots: the first thing to read when a flow fails.
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'flows-services.log'), stack.output());
    }
    await h?.stop();
    await stack?.stop();
  });

  it('1. root signs in with the default password, is forced to change it, then reaches the dashboard', async () => {
    await signIn(root, 'root', DEFAULT_ROOT_PASSWORD);
    await root.waitForURL('**/change-password');
    // The admin API itself refuses everything but the password change for this session.
    const gated = await root.request.get(`${h.url}/api/token/`);
    expect(gated.status()).toBe(403);
    // Navigating elsewhere bounces back while the password is still the default one.
    await root.goto(h.url + '/channel');
    await root.waitForURL('**/change-password');

    await root.getByLabel('New password', { exact: true }).fill(ROOT_PASSWORD);
    await root.getByLabel('Confirm new password', { exact: true }).fill(ROOT_PASSWORD);
    await root.getByTestId('change-password-submit').click();
    await root.waitForURL('**/dashboard');
    await root.getByText('Quota left').waitFor();
    await root.getByTestId('user-menu').filter({ hasText: 'root' }).waitFor();

    // The same session now reaches the API; the old password no longer signs in, the new one does.
    expect((await root.request.get(`${h.url}/api/token/`)).status()).toBe(200);
    const login = (password: string) =>
      fetch(`${stack.adminUrl}/api/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password }) }).then(
        async (r) => ((await r.json()) as Envelope<unknown>).success,
      );
    expect(await login(DEFAULT_ROOT_PASSWORD)).toBe(false);
    expect(await login(ROOT_PASSWORD)).toBe(true);
    await h.screenshot(root, 'flow-1-password-changed-dashboard');
  });

  it('2. creates an OpenAI channel pointing at the fake upstream and tests it', async () => {
    await root.goto(h.url + '/channel');
    await root.getByRole('button', { name: 'New channel' }).click();
    const drawer = root.getByRole('dialog').filter({ hasText: 'New channel' });
    await drawer.getByLabel('Name', { exact: true }).fill(CHANNEL_NAME);
    await drawer.getByLabel('API key').fill(UPSTREAM_KEY);
    await drawer.getByLabel('Base URL').fill(stack.upstream.url);
    // Only gpt-4o-mini: clear the type's defaults, then type the model into the tags picker.
    await drawer.getByText('Clear', { exact: true }).click();
    const models = drawer.getByLabel('Models');
    await models.click();
    await models.pressSequentially(MODEL);
    await models.press('Enter');
    await root.keyboard.press('Escape');
    await drawer.getByTestId('channel-save').click();
    await drawer.waitFor({ state: 'hidden' });

    const row = root.getByRole('row').filter({ hasText: CHANNEL_NAME });
    await row.waitFor();
    await row.getByText('Not tested').or(row.getByText('-', { exact: true })).first().waitFor();
    const created = (await apiData<ChannelView[]>(root, '/api/channel/?p=0')).find((c) => c.name === CHANNEL_NAME);
    expect(created).toMatchObject({ base_url: stack.upstream.url, models: MODEL });

    const upstreamCalls = stack.upstream.count('/chat/completions');
    await row.getByRole('button', { name: 'Test', exact: true }).click();
    const toast = root.locator('.ant-message').getByText(new RegExp(`^${CHANNEL_NAME} passed with ${MODEL} in \\d+\\.\\d{2} s$`));
    await toast.waitFor();
    // The test really reached the fake upstream with the channel's key.
    expect(stack.upstream.count('/chat/completions')).toBe(upstreamCalls + 1);
    const testCall = stack.upstream.requests.at(-1);
    expect(testCall?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(testCall?.body).toMatchObject({ model: MODEL });
    // The list refreshes with the measured response time.
    const tested = await waitUntil('channel response time stored', async () => {
      const c = (await apiData<ChannelView[]>(root, '/api/channel/?p=0')).find((x) => x.name === CHANNEL_NAME);
      return c && c.test_time > 0 ? c : undefined;
    });
    await row.getByText(`${(tested.response_time / 1000).toFixed(2)} s`).waitFor();
    await h.screenshot(root, 'flow-2-channel-tested');
  });

  it('3. creates a token and reads its sk- key from the page', async () => {
    await root.goto(h.url + '/token');
    await root.getByTestId('token-create').click();
    const modal = root.getByRole('dialog').filter({ hasText: 'New token' });
    await modal.getByLabel('Name', { exact: true }).fill(TOKEN_NAME);
    await modal.getByRole('button', { name: 'OK' }).click();

    const keyText = root.getByTestId('created-key');
    await keyText.waitFor();
    const shown = (await keyText.innerText()).trim();
    expect(shown).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    await h.screenshot(root, 'flow-3-token-created');
    shared.tokenKey = shown;

    // It is the key the admin API stored for this token.
    const tokens = await apiData<TokenView[]>(root, '/api/token/?p=0');
    const token = tokens.find((t) => t.name === TOKEN_NAME);
    if (!token) throw new Error(`token ${TOKEN_NAME} not listed`);
    const one = await apiData<TokenView>(root, `/api/token/${token.id}`);
    expect(`sk-${one.key}`).toBe(shown);
    await root.keyboard.press('Escape');
    await root.getByRole('row').filter({ hasText: TOKEN_NAME }).waitFor();
  });

  it('4. the openai SDK calls the relay with that key and gets the upstream answer', async () => {
    expect(shared.tokenKey).toMatch(/^sk-/);
    shared.selfBefore = await apiData<SelfView>(root, '/api/user/self');
    stack.upstream.setKnobs({ promptTokens: PROMPT_TOKENS });
    const client = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: shared.tokenKey, maxRetries: 0, timeout: 30_000 });
    const before = stack.upstream.count('/chat/completions');
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello to the e2e test.' }] });
    expect(completion.choices[0]?.message.content).toBe('tok0 tok1 tok2 tok3 tok4 ');
    expect(completion.usage).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 5 });
    // It went through our channel: the upstream saw the channel key, not the user's token.
    expect(stack.upstream.count('/chat/completions')).toBe(before + 1);
    const call = stack.upstream.requests.at(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(call?.body).toMatchObject({ model: MODEL, messages: [{ role: 'user', content: 'Say hello to the e2e test.' }] });

    // A wrong key is refused by the relay (the call above did not pass by accident).
    const wrong = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: 'sk-not-a-real-token', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });

    // The tokens page shows what the call cost the token.
    const token = await waitUntil('token usage recorded', async () => {
      const t = (await apiData<TokenView[]>(root, '/api/token/?p=0')).find((x) => x.name === TOKEN_NAME);
      return t && t.used_quota > 0 ? t : undefined;
    });
    expect(usd(token.used_quota, perUnit)).not.toBe(usd(0, perUnit));
    await root.goto(h.url + '/token');
    await root.getByRole('row').filter({ hasText: TOKEN_NAME }).getByRole('cell', { name: usd(token.used_quota, perUnit), exact: true }).waitFor();
    await h.screenshot(root, 'flow-4-token-used');
  });

  it('5. the logs page shows the request and the dashboard shows the quota drop and request count', async () => {
    const before = shared.selfBefore;
    if (!before) throw new Error('flow 4 did not run');
    // The relay writes logs and quota in small batches: wait for them through the API first.
    const log = await waitUntil('consume log written', async () => {
      const logs = await apiData<LogView[]>(root, `/api/log/self?p=0&type=${LogType.Consume}`);
      return logs.find((l) => l.model_name === MODEL && l.token_name === TOKEN_NAME);
    });
    expect(log).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 5 });
    expect(log.quota).toBeGreaterThan(0);
    const after = await waitUntil('user quota settled', async () => {
      const self = await apiData<SelfView>(root, '/api/user/self');
      return self.request_count > before.request_count && self.quota === before.quota - log.quota ? self : undefined;
    });
    expect(after.used_quota).toBe(before.used_quota + log.quota);
    expect(after.request_count).toBe(before.request_count + 1);

    await root.goto(h.url + '/log');
    const row = root.getByRole('row').filter({ hasText: TOKEN_NAME }).filter({ hasText: MODEL });
    await row.waitFor();
    await row.getByRole('cell', { name: String(PROMPT_TOKENS), exact: true }).waitFor();
    await row.getByRole('cell', { name: '5', exact: true }).waitFor();
    await row.getByRole('cell', { name: usd(log.quota, perUnit), exact: true }).waitFor();
    await h.screenshot(root, 'flow-5-logs');

    // The cost is big enough to show in two decimals, so the dashboard figures really move.
    expect(usd(after.quota, perUnit)).not.toBe(usd(before.quota, perUnit));
    await root.goto(h.url + '/dashboard');
    await root.getByTestId('stat-quota').filter({ hasText: usd(after.quota, perUnit) }).waitFor();
    const stat = (title: string) => root.locator('.ant-statistic').filter({ has: root.getByText(title, { exact: true }) });
    await stat('Quota used').filter({ hasText: usd(after.used_quota, perUnit) }).waitFor();
    await stat('Requests').locator('.ant-statistic-content').filter({ hasText: new RegExp(`^${after.request_count}$`) }).waitFor();
    // The per-model chart has the model now.
    await root.locator('.recharts-legend-item').filter({ hasText: MODEL }).waitFor();
    await h.screenshot(root, 'flow-5-dashboard');
  });

  it('6. admin generates redemption codes; a newly registered user redeems one and gains exactly its quota', async () => {
    await root.goto(h.url + '/redemption');
    await root.getByRole('button', { name: 'Generate codes' }).click();
    const form = root.getByRole('dialog').filter({ hasText: 'Generate codes' });
    await form.getByLabel('Name', { exact: true }).fill('e2e-codes');
    await form.getByLabel('Quota', { exact: true }).fill(String(REDEMPTION_QUOTA));
    await form.getByLabel('Count', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'OK' }).click();

    const batch = root.getByRole('dialog').filter({ hasText: '2 codes generated' });
    await batch.waitFor();
    const items = batch.locator('.ant-list-item');
    await expect(items.count()).resolves.toBe(2);
    const first = items.first();
    const shownKey = (await first.locator('code').innerText()).trim();
    expect(shownKey).toMatch(/^[0-9a-f]{32}$/i);
    await first.getByRole('button', { name: /copy/i }).click();
    const copied = await waitUntil('key on the clipboard', async () => {
      const text = await root.evaluate(() => navigator.clipboard.readText());
      return text ? text : undefined;
    });
    expect(copied).toBe(shownKey);
    await h.screenshot(root, 'flow-6-codes-generated');
    shared.redemptionKey = copied;
    await batch.getByRole('button', { name: 'Close' }).click();

    // A new user signs up through the register page, then signs in.
    const user = await h.newPage();
    try {
      await user.goto(h.url + '/register');
      await user.getByLabel('Username').fill(NEW_USER);
      await user.getByLabel('Password', { exact: true }).fill(NEW_USER_PASSWORD);
      await user.getByLabel('Confirm password').fill(NEW_USER_PASSWORD);
      await user.getByRole('button', { name: 'Sign up' }).click();
      await user.waitForURL('**/login');
      await signIn(user, NEW_USER, NEW_USER_PASSWORD);
      await user.waitForURL('**/dashboard');
      const before = await apiData<SelfView>(user, '/api/user/self');
      expect(before.username).toBe(NEW_USER);

      await user.getByRole('link', { name: 'Top up' }).click();
      await user.waitForURL('**/topup');
      await user.getByText(usd(before.quota, perUnit)).first().waitFor();
      await user.getByLabel('Redemption code').fill(shared.redemptionKey);
      await user.getByRole('button', { name: 'Redeem' }).click();
      await user.locator('.ant-message').getByText(`Added ${usd(REDEMPTION_QUOTA, perUnit)}`).waitFor();
      const expected = before.quota + REDEMPTION_QUOTA;
      await user.locator('.ant-statistic').filter({ hasText: usd(expected, perUnit) }).waitFor();
      const after = await apiData<SelfView>(user, '/api/user/self');
      expect(after.quota).toBe(expected);
      await h.screenshot(user, 'flow-6-redeemed');

      // The code is spent: a second try shows the API's refusal and leaves the quota alone.
      await user.getByLabel('Redemption code').fill(shared.redemptionKey);
      await user.getByRole('button', { name: 'Redeem' }).click();
      await user.locator('.ant-alert-error').waitFor();
      expect((await apiData<SelfView>(user, '/api/user/self')).quota).toBe(expected);
    } finally {
      await user.context().close();
    }
    const codes = await apiData<RedemptionView[]>(root, '/api/redemption/?p=0');
    const used = codes.find((c) => c.key === shared.redemptionKey);
    expect(used).toMatchObject({ quota: REDEMPTION_QUOTA, status: RedemptionStatus.Used });
  });

  it('7. switches the language to Chinese and back', async () => {
    await root.goto(h.url + '/dashboard');
    await root.getByText('Quota left').waitFor();
    await root.getByTestId('language-switch').click();
    await root.getByTitle('中文').click();
    await root.getByText('剩余额度').waitFor();
    await root.getByRole('link', { name: '数据看板' }).waitFor();
    expect((await root.context().cookies()).find((c) => c.name === 'NEXT_LOCALE')?.value).toBe('zh');
    await root.reload();
    await root.getByText('剩余额度').waitFor();
    await h.screenshot(root, 'flow-7-dashboard-zh');

    await root.getByTestId('language-switch').click();
    await root.getByTitle('English').click();
    await root.getByText('Quota left').waitFor();
    await root.getByRole('link', { name: 'Dashboard' }).waitFor();
    expect(await root.getByText('剩余额度').count()).toBe(0);
    await h.screenshot(root, 'flow-7-dashboard-en');
  });
});
