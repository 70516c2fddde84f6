import { availableDbKinds } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';

const kinds = ['sqlite', 'mysql'] as const;

describe.each(kinds)('status routes (%s)', (kind) => {
  let h: AdminHarness;
  let enabled = true;

  beforeAll(async () => {
    enabled = (await availableDbKinds()).includes(kind);
    if (enabled) h = await startAdminHarness(kind);
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  it('GET /api/status answers One API status payload from the options', async () => {
    if (!enabled) return;
    await h.runtime.options.set('SystemName', 'Gateway X');
    await h.runtime.options.set('TurnstileSiteKey', 'site-key-1');
    const res = await h.http().get('/api/status').expect(200);
    expect(res.body).toMatchObject({
      success: true,
      data: {
        version: expect.stringMatching(/^v\d/),
        start_time: h.runtime.startedAt,
        system_name: 'Gateway X',
        email_verification: false,
        github_oauth: false,
        wechat_login: false,
        turnstile_check: false,
        turnstile_site_key: 'site-key-1',
        quota_per_unit: 500000,
        display_in_currency: true,
        display_currency: 'USD',
        usd_exchange_rate: 7.3,
        display_token_stat_enabled: true,
        register_enabled: true,
        password_login_enabled: true,
        password_register_enabled: true,
        relay_url: h.runtime.config.relayUrl,
        lark_client_id: '',
        oidc: false,
      },
    });
    // Every field One API's GetStatus answers (controller/misc.go), so its frontend and scripts find them.
    for (const key of ['version', 'start_time', 'email_verification', 'github_oauth', 'github_client_id', 'lark_client_id', 'system_name', 'logo', 'footer_html', 'wechat_qrcode', 'wechat_login', 'server_address', 'turnstile_check', 'turnstile_site_key', 'top_up_link', 'chat_link', 'quota_per_unit', 'display_in_currency', 'oidc', 'oidc_client_id', 'oidc_well_known', 'oidc_authorization_endpoint', 'oidc_token_endpoint', 'oidc_userinfo_endpoint']) {
      expect(res.body.data).toHaveProperty(key);
    }
  });

  it.each([
    ['notice', 'Notice'],
    ['about', 'About'],
    ['home_page_content', 'HomePageContent'],
  ])('GET /api/%s answers the %s option', async (route, key) => {
    if (!enabled) return;
    await h.runtime.options.set(key, `# ${key} text`);
    const res = await h.http().get(`/api/${route}`).expect(200);
    expect(res.body).toEqual({ success: true, message: '', data: `# ${key} text` });
  });

  it('serves health and the OpenAPI document', async () => {
    if (!enabled) return;
    await h.http().get('/healthz').expect(200);
    const ready = await h.http().get('/readyz').expect(200);
    expect(ready.body.checks.database).toBe('ok');
    const doc = await h.http().get('/api/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/status', '/api/user/login', '/api/option', '/api/user/{id}']));
    await h.http().get('/api/docs').expect(200);
  });
});
