import { randomBytes } from 'node:crypto';
import { DEFAULT_SYSTEM_NAME } from '@oneapi/domain';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

describe.each(DB_KINDS)('option routes (%s)', (kind) => {
  let h: AdminHarness;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (enabled) h = await startAdminHarness(kind, { SYNC_FREQUENCY: '60' });
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  const root = () => ({ Authorization: h.root.accessToken });
  const put = (key: string, value: unknown) => h.http().put('/api/option/').set(root()).send({ key, value });

  it('GET /api/option/ lists options with defaults and never a secret', async () => {
    if (!enabled) return;
    await put('SMTPToken', 'smtp-secret-value').expect(200);
    await put('GitHubClientSecret', 'gh-secret-value').expect(200);
    const res = await h.http().get('/api/option/').set(root()).expect(200);
    const map = Object.fromEntries((res.body.data as Array<{ key: string; value: string }>).map((o) => [o.key, o.value]));
    expect(map).toMatchObject({ SystemName: DEFAULT_SYSTEM_NAME, QuotaPerUnit: '500000', RegisterEnabled: 'true' });
    for (const secret of ['SMTPToken', 'GitHubClientSecret', 'WeChatServerToken', 'TurnstileSecretKey']) expect(map).not.toHaveProperty(secret);
    expect(JSON.stringify(res.body)).not.toMatch(/secret-value/);
  });

  it('PUT /api/option/ saves a typed value that runtime.options and another node see', async () => {
    if (!enabled) return;
    await put('QuotaForNewUser', 1234).expect(200);
    expect(h.runtime.options.raw()['QuotaForNewUser']).toBe('1234');
    await put('RegisterEnabled', false).expect(200);
    expect(h.runtime.options.raw()['RegisterEnabled']).toBe('false');
    await put('ModelRatio', '{"gpt-4o":2.5}').expect(200);
    // A second process on the same database (e.g. the relay) picks the change up through the cache bus.
    const other: ServiceRuntime = await createRuntimeFromEnv('relay', { ...h.db.env, SESSION_SECRET: randomBytes(24).toString('hex'), SYNC_FREQUENCY: '60' });
    try {
      await put('SystemName', 'Renamed Gateway').expect(200);
      const deadline = Date.now() + 10_000;
      while (other.options.raw()['SystemName'] !== 'Renamed Gateway' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(other.options.raw()['SystemName']).toBe('Renamed Gateway');
    } finally {
      await other.close();
    }
    const status = await h.http().get('/api/status').expect(200);
    expect(status.body.data).toMatchObject({ system_name: 'Renamed Gateway', register_enabled: false });
    await put('RegisterEnabled', 'true').expect(200);
  });

  it.each([
    ['QuotaForNewUser', 'abc'],
    ['QuotaForNewUser', -5],
    ['RegisterEnabled', 'yes'],
    ['ModelRatio', '{not json'],
    ['ModelRatio', '{"gpt-4o":"cheap"}'],
    ['GroupRatio', '[1,2]'],
    ['NoSuchOption', '1'],
    ['SystemName', { nested: true }],
  ])('PUT %s = %j answers 400 and changes nothing', async (key, value) => {
    if (!enabled) return;
    const before = h.runtime.options.raw()[key as string];
    const res = await put(key as string, value).expect(400);
    expect(res.body).toMatchObject({ success: false, data: null });
    expect(h.runtime.options.raw()[key as string]).toBe(before);
  });

  it('PUT without a value or key answers 400 naming the field', async () => {
    if (!enabled) return;
    expect((await h.http().put('/api/option/').set(root()).send({ key: 'SystemName' }).expect(400)).body.message).toMatch(/value/);
    expect((await h.http().put('/api/option/').set(root()).send({ value: 'x' }).expect(400)).body.message).toMatch(/key/);
  });

  it("applies One API's guards: a login method cannot be enabled before its settings", async () => {
    if (!enabled) return;
    const res = await put('GitHubOAuthEnabled', 'true').expect(400);
    expect(res.body.message).toMatch(/GitHubClientId/);
    await put('WeChatAuthEnabled', 'true').expect(400);
    await put('TurnstileCheckEnabled', 'true').expect(400);
    await put('EmailDomainWhitelist', '').expect(200);
    await put('EmailDomainRestrictionEnabled', 'true').expect(400);
    await put('GitHubClientId', 'client-id').expect(200);
    await put('GitHubClientSecret', 'client-secret').expect(200);
    await put('GitHubOAuthEnabled', 'true').expect(200);
    expect(h.runtime.options.raw()['GitHubOAuthEnabled']).toBe('true');
    await put('GitHubOAuthEnabled', 'false').expect(200);
  });
});

describe.each(DB_KINDS)('PUT /api/option/batch (%s)', (kind) => {
  let h: AdminHarness;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (enabled) h = await startAdminHarness(kind, { SYNC_FREQUENCY: '60' });
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  const root = () => ({ Authorization: h.root.accessToken });
  const batch = (options: Array<{ key: string; value: unknown }>) => h.http().put('/api/option/batch').set(root()).send({ options });
  const stored = async () => Object.fromEntries((await h.sql<{ key: string; value: string }>('SELECT `key`, value FROM options')).map((r) => [r.key, r.value]));

  it('saves every option of the batch, in the database and in memory', async () => {
    if (!enabled) return;
    await batch([
      { key: 'SystemName', value: 'Batch Gateway' },
      { key: 'Footer', value: '<b>foot</b>' },
      { key: 'QuotaForNewUser', value: 42 },
    ]).expect(200);
    expect(await stored()).toMatchObject({ SystemName: 'Batch Gateway', Footer: '<b>foot</b>', QuotaForNewUser: '42' });
    expect(h.runtime.options.raw()).toMatchObject({ SystemName: 'Batch Gateway', QuotaForNewUser: '42' });
  });

  it('one refused value saves nothing and answers 400 naming each refused key', async () => {
    if (!enabled) return;
    const before = await stored();
    const res = await batch([
      { key: 'SystemName', value: 'Half Saved' },
      { key: 'Logo', value: 'javascript:alert(1)' },
      { key: 'Notice', value: 'new notice' },
      { key: 'SMTPPort', value: 70000 },
    ]).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 'invalid_options' });
    expect(res.body.message).toMatch(/Logo/);
    expect(res.body.data.errors).toEqual([
      expect.objectContaining({ key: 'Logo', code: 'not_url' }),
      expect.objectContaining({ key: 'SMTPPort', code: 'out_of_range', params: { min: 1, max: 65535 } }),
    ]);
    expect(await stored()).toEqual(before);
    expect(h.runtime.options.raw()['SystemName']).toBe('Batch Gateway');
  });

  it('judges the login guards against the batch itself: a switch with its settings in the same save passes', async () => {
    if (!enabled) return;
    const refused = await batch([{ key: 'SystemName', value: 'Guarded' }, { key: 'TurnstileCheckEnabled', value: 'true' }]).expect(400);
    expect(refused.body.data.errors).toEqual([expect.objectContaining({ key: 'TurnstileCheckEnabled', code: 'requires_options', params: { keys: 'TurnstileSiteKey, TurnstileSecretKey' } })]);
    expect(h.runtime.options.raw()['SystemName']).toBe('Batch Gateway');
    await batch([
      { key: 'TurnstileSiteKey', value: 'site' },
      { key: 'TurnstileSecretKey', value: 'secret' },
      { key: 'TurnstileCheckEnabled', value: 'true' },
    ]).expect(200);
    expect(h.runtime.options.raw()['TurnstileCheckEnabled']).toBe('true');
    await batch([{ key: 'TurnstileCheckEnabled', value: 'false' }]).expect(200);
  });

  it('refuses unknown keys, a malformed body, and non-root callers', async () => {
    if (!enabled) return;
    const res = await batch([{ key: 'NoSuchOption', value: '1' }]).expect(400);
    expect(res.body.data.errors).toEqual([expect.objectContaining({ key: 'NoSuchOption', code: 'unknown_option' })]);
    await h.http().put('/api/option/batch').set(root()).send({ options: [] }).expect(400);
    await h.http().put('/api/option/batch').set(root()).send({ options: [{ value: 'x' }] }).expect(400);
    const user = await h.createUser();
    await h.http().put('/api/option/batch').set({ Authorization: user.accessToken }).send({ options: [{ key: 'SystemName', value: 'x' }] }).expect(403);
  });
});
