import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openDataSource } from '@oneapi/data';
import { startSmtpSink, startWeChatServerFake, type SmtpSink, type WeChatServerFake } from '@oneapi/testing';
import { startGatewayStack, type GatewayStack } from './gateway-stack';
import { SCREENSHOT_DIR, startConsoleHarness, type ConsoleHarness } from './harness';

/**
 * Issue 11, one-click account takeover: root is signed in to the console in Chromium; a page on
 * another origin (a local server on a different port of 127.0.0.1, so same-site: the Lax session
 * cookie rides along on every request it makes) links to and posts at the bind routes with codes
 * the attacker obtained, plus every other state-changing route a form or a no-cors fetch can
 * reach. Nothing about any account may change. The same bindings then work from the console's own
 * settings page.
 */

const ROOT_PASSWORD = 'E2e-xsite-Root1';
const ATTACKER = 'mallory';
const ATTACKER_PASSWORD = 'Mallory-pass-1';

interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
}

/** A form the attacker's page submits into a hidden iframe. */
interface FormAttack {
  action: string;
  enctype: 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data';
  fields: Record<string, string>;
}

/** `{"a":"b","pad":"` + `="}`: a text/plain form whose body parses as JSON. */
function jsonForm(action: string, body: Record<string, unknown>): FormAttack {
  const json = JSON.stringify({ ...body, pad: '' });
  return { action, enctype: 'text/plain', fields: { [json.slice(0, -2)]: '"}' } };
}

function attackPage(forms: FormAttack[], fetches: Array<{ url: string; body: string; json?: boolean }>): string {
  return `<!doctype html><html><head><title>cute cats</title></head><body><h1>cute cats</h1>
<script>
const forms = ${JSON.stringify(forms)};
const fetches = ${JSON.stringify(fetches)};
async function run() {
  let i = 0;
  for (const f of forms) {
    const frame = document.createElement('iframe');
    frame.name = 'sink' + i++;
    document.body.appendChild(frame);
    const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = f.action;
    form.enctype = f.enctype;
    form.target = frame.name;
    for (const [name, value] of Object.entries(f.fields)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
    await loaded;
  }
  for (const f of fetches) {
    const init = f.json
      ? { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: f.body }
      : { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: f.body };
    await fetch(f.url, init).catch(() => undefined);
  }
  document.title = 'done';
}
run();
</script></body></html>`;
}

function linkPage(links: Record<string, string>): string {
  return `<!doctype html><html><body>${Object.entries(links)
    .map(([id, href]) => `<p><a id="${id}" href="${href.replace(/&/g, '&amp;')}">${id}</a></p>`)
    .join('')}</body></html>`;
}

describe('cross-site requests cannot change a signed-in account (Chromium, real admin on SQLite)', () => {
  const rootToken = randomBytes(16).toString('hex');
  let stack: GatewayStack;
  let h: ConsoleHarness;
  let smtp: SmtpSink;
  let wechat: WeChatServerFake;
  let evil: Server;
  let evilUrl = '';
  let evilPages: Record<string, string> = {};
  let db: Awaited<ReturnType<typeof openDataSource>>;
  const contexts: BrowserContext[] = [];

  async function admin<T>(method: string, path: string, body?: unknown, auth = rootToken): Promise<Envelope<T>> {
    const res = await fetch(`${stack.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Envelope<T>;
  }
  const codeIn = async (to: string) => {
    const mail = await smtp.waitForMail((m) => m.to.includes(to));
    const match = /<strong>([A-Za-z0-9]{6})<\/strong>/.exec(mail.decoded);
    if (!match?.[1]) throw new Error(`no code in the mail to ${to}`);
    return match[1];
  };
  const userRow = async (username: string) => (await db.query('SELECT * FROM users WHERE username = ?', [username]))[0] as Record<string, unknown>;
  const tokenCount = async (userId: unknown) => Number((await db.query('SELECT COUNT(*) AS n FROM tokens WHERE user_id = ?', [userId]))[0].n);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    wechat = await startWeChatServerFake();
    evil = createServer((req, res) => {
      const page = evilPages[(req.url ?? '/').split('?')[0] ?? '/'];
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page ?? 'not found');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    try {
      stack = await startGatewayStack({ env: { INITIAL_ROOT_PASSWORD: ROOT_PASSWORD, INITIAL_ROOT_ACCESS_TOKEN: rootToken } });
      h = await startConsoleHarness({ adminUrl: stack.adminUrl, buildIfMissing: true });
    } catch (error) {
      await stack?.stop();
      throw error;
    }
    for (const [key, value] of Object.entries({ ...smtp.options(), WeChatServerAddress: wechat.url, WeChatServerToken: wechat.token, WeChatAuthEnabled: 'true' })) {
      expect(await admin('PUT', '/api/option/', { key, value })).toMatchObject({ success: true });
    }
    db = await openDataSource(stack.db.config);
  }, 900_000);

  afterAll(async () => {
    if (stack) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(SCREENSHOT_DIR, 'cross-site-services.log'), stack.output());
    }
    for (const c of contexts) await c.close().catch(() => undefined);
    await db?.destroy();
    await h?.stop();
    await stack?.stop();
    await new Promise((r) => evil?.close(r));
    await Promise.all([smtp?.close(), wechat?.close()]);
  });

  async function signIn(username: string, password: string): Promise<Page> {
    const page = await h.newPage();
    contexts.push(page.context());
    await page.goto(h.url + '/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/dashboard');
    return page;
  }

  it('a page on another origin that links and posts to the bind routes changes nothing of the signed-in root', async () => {
    // The attacker: an account of their own, a code mailed for their address through the public
    // route, a bind code requested from their own session when the API offers one, WeChat codes.
    expect((await (await fetch(`${stack.adminUrl}/api/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ATTACKER, password: ATTACKER_PASSWORD }) })).json()) as Envelope<unknown>).toMatchObject({ success: true });
    const attacker = await signIn(ATTACKER, ATTACKER_PASSWORD);
    await fetch(`${stack.adminUrl}/api/verification?email=evil1@attacker.test`);
    const publicCode = await codeIn('evil1@attacker.test');
    const own = await attacker.request.post(`${h.url}/api/oauth/email/verification`, { data: { email: 'evil2@attacker.test' } });
    const ownCode = own.ok() ? await codeIn('evil2@attacker.test') : publicCode;

    const root = await signIn('root', ROOT_PASSWORD);
    const rootBefore = await userRow('root');
    const attackerBefore = await userRow(ATTACKER);
    const rootTokens = await tokenCount(rootBefore['id']);
    const api = `${h.url}/api`;
    const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

    evilPages = {
      '/links': linkPage({
        'email-bind': `${api}/oauth/email/bind?${q({ email: 'evil1@attacker.test', code: publicCode })}`,
        'email-bind-own': `${api}/oauth/email/bind?${q({ email: 'evil2@attacker.test', code: ownCode })}`,
        'wechat-bind': `${api}/oauth/wechat/bind?${q({ code: wechat.issueCode('wx-attacker-1') })}`,
        'token': `${api}/user/token`,
      }),
      '/forms': attackPage(
        [
          { action: `${api}/oauth/email/bind?${q({ email: 'evil1@attacker.test', code: publicCode })}`, enctype: 'application/x-www-form-urlencoded', fields: { email: 'evil1@attacker.test', code: publicCode } },
          jsonForm(`${api}/oauth/email/bind`, { email: 'evil2@attacker.test', code: ownCode }),
          { action: `${api}/oauth/email/bind?${q({ email: 'evil2@attacker.test', code: ownCode })}`, enctype: 'multipart/form-data', fields: { email: 'evil2@attacker.test', code: ownCode } },
          { action: `${api}/oauth/wechat/bind?${q({ code: wechat.issueCode('wx-attacker-2') })}`, enctype: 'application/x-www-form-urlencoded', fields: {} },
          jsonForm(`${api}/oauth/wechat/bind`, { code: wechat.issueCode('wx-attacker-3') }),
          // A bind code for root's session, mailed to the attacker, would finish the job.
          jsonForm(`${api}/oauth/email/verification`, { email: 'evil3@attacker.test' }),
          { action: `${api}/user/token`, enctype: 'application/x-www-form-urlencoded', fields: {} },
          jsonForm(`${api}/user/manage`, { username: ATTACKER, action: 'promote' }),
          jsonForm(`${api}/topup`, { user_id: attackerBefore['id'], quota: 1_000_000_000 }),
          jsonForm(`${api}/token/`, { name: 'planted', unlimited_quota: true }),
          jsonForm(`${api}/user/self`, { password: 'Attacker-chose-1' }),
        ],
        [
          { url: `${api}/oauth/email/bind?${q({ email: 'evil1@attacker.test', code: publicCode })}`, body: JSON.stringify({ email: 'evil1@attacker.test', code: publicCode }) },
          { url: `${api}/oauth/wechat/bind?${q({ code: wechat.issueCode('wx-attacker-4') })}`, body: JSON.stringify({ code: wechat.issueCode('wx-attacker-5') }) },
          { url: `${api}/user/manage`, body: JSON.stringify({ username: ATTACKER, action: 'promote' }) },
          // Needs a CORS preflight, which the admin never grants: the browser does not send it.
          { url: `${api}/oauth/email/bind`, body: JSON.stringify({ email: 'evil2@attacker.test', code: ownCode }), json: true },
        ],
      ),
    };

    // Root opens the attacker's page: forms into hidden iframes, then no-cors fetches.
    const sent: string[] = [];
    root.context().on('request', (r) => {
      if (r.url().startsWith(api)) sent.push(`${r.method()} ${r.url().slice(h.url.length)}`);
    });
    await root.goto(`${evilUrl}/forms`);
    await root.waitForFunction(() => document.title === 'done', undefined, { timeout: 60_000 });
    // ... and clicks each link (top-level GET navigations carry the Lax cookie even cross-site).
    for (const id of ['email-bind', 'email-bind-own', 'wechat-bind', 'token']) {
      await root.goto(`${evilUrl}/links`);
      await Promise.all([root.waitForURL((u) => u.href.startsWith(api), { waitUntil: 'load' }), root.click(`#${id}`)]);
    }
    await h.screenshot(root, 'cross-site-after-links');
    // Every form, no-cors fetch and link reached the console (the preflighted fetch never leaves).
    expect(sent.filter((s) => s.startsWith('POST')).length).toBeGreaterThanOrEqual(14);
    expect(sent.filter((s) => s.startsWith('GET')).length).toBeGreaterThanOrEqual(4);

    expect(await userRow('root')).toEqual(rootBefore);
    expect(await userRow(ATTACKER)).toEqual(attackerBefore);
    expect(await tokenCount(rootBefore['id'])).toBe(rootTokens);
    expect(smtp.mails.filter((m) => m.to.includes('evil3@attacker.test'))).toEqual([]);
    // Root is still signed in and still has the access token it had.
    expect((await root.request.get(`${h.url}/api/user/self`)).status()).toBe(200);
    expect(await admin('GET', '/api/user/self')).toMatchObject({ success: true });
  });

  it('the settings page itself still binds an email and a WeChat account (the console sends what the API asks for)', async () => {
    const root = await signIn('root', ROOT_PASSWORD);
    await root.goto(h.url + '/setting');
    await root.getByRole('button', { name: /^(Bind email|Change email)$/ }).click();
    const emailDialog = root.getByRole('dialog').filter({ hasText: 'Verification code' });
    await emailDialog.locator('input[type="email"]').fill('root@owner.test');
    await emailDialog.getByRole('button', { name: 'Send code' }).click();
    const code = await codeIn('root@owner.test');
    await emailDialog.getByLabel('Verification code').fill(code);
    await emailDialog.getByRole('button', { name: 'OK' }).click();
    await root.locator('.ant-message').getByText('Bound').first().waitFor();
    expect((await userRow('root'))['email']).toBe('root@owner.test');

    await root.getByRole('button', { name: 'Bind WeChat' }).click();
    const wechatDialog = root.getByRole('dialog').filter({ hasText: 'Bind WeChat' });
    await wechatDialog.getByPlaceholder('Verification code').fill(wechat.issueCode('wx-root'));
    await wechatDialog.getByRole('button', { name: 'OK' }).click();
    await root.getByRole('button', { name: 'WeChat bound' }).waitFor();
    expect((await userRow('root'))['wechat_id']).toBe('wx-root');
    await h.screenshot(root, 'cross-site-settings-bound');
  });
});
