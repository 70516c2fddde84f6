import { ChannelStatus, ChannelType, Role, getCompletionRatio, getModelRatio } from '@oneapi/domain';
import { availableDbKinds } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';

describe.each([['sqlite'], ['mysql']] as const)('GET /api/user/models on %s', (kind) => {
  let h: AdminHarness | undefined;
  let vip: TestUser;
  let plain: TestUser;
  const root = () => ({ Authorization: (h as AdminHarness).root.accessToken });

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes(kind)) return;
    h = await startAdminHarness(kind);
    vip = await h.createUser({ role: Role.Common, group: 'vip' });
    plain = await h.createUser({ role: Role.Common });
    await h.http().put('/api/option/').set(root()).send({ key: 'GroupRatio', value: '{"default":1,"vip":0.5}' }).expect(200);
    await h.http().put('/api/option/').set(root()).send({ key: 'ModelRatio', value: '{"gpt-4o":1.25,"my-model":2}' }).expect(200);
    const channel = (body: Record<string, unknown>) => (h as AdminHarness).http().post('/api/channel').set(root()).send(body).expect(200);
    await channel({ type: ChannelType.OpenAI, key: 'sk-prices-openai-0123456789', name: 'openai', models: 'gpt-4o,my-model', group: 'vip' });
    await channel({ type: ChannelType.Cohere, key: 'co-prices-0123456789', name: 'cohere', models: 'rerank-v3.5,my-model', group: 'vip' });
    await channel({ type: ChannelType.OpenAI, key: 'sk-prices-default-0123456789', name: 'default-only', models: 'gpt-4o-mini', group: 'default' });
    const disabled = await channel({ type: ChannelType.OpenAI, key: 'sk-prices-off-0123456789', name: 'off', models: 'gpt-3.5-turbo', group: 'vip' });
    await h.http().put('/api/channel/').set(root()).send({ id: disabled.body.data.ids[0], status: ChannelStatus.ManuallyDisabled }).expect(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists exactly the group’s enabled models with prices from the ratios and the endpoints of their channels’ types', async () => {
    if (!h) return;
    const res = await h.http().get('/api/user/models').set({ Authorization: vip.accessToken }).expect(200);
    expect(res.body.success).toBe(true);
    const rows = res.body.data as Array<{ model: string; input_quota_per_1m: number; output_quota_per_1m: number; group_ratio: number; endpoints: string[] }>;
    expect(rows.map((r) => r.model)).toEqual(['gpt-4o', 'my-model', 'rerank-v3.5']);
    const gpt = rows[0];
    expect(gpt.group_ratio).toBe(0.5);
    expect(gpt.input_quota_per_1m).toBeCloseTo(1e6 * 1.25 * 0.5);
    expect(gpt.output_quota_per_1m).toBeCloseTo(1e6 * 1.25 * 0.5 * getCompletionRatio('gpt-4o'));
    expect(rows[1].input_quota_per_1m).toBeCloseTo(1e6 * 2 * 0.5);
    expect(rows[2].input_quota_per_1m).toBeCloseTo(1e6 * getModelRatio('rerank-v3.5') * 0.5);
    expect(gpt.endpoints).toContain('/v1/chat/completions');
    expect(gpt.endpoints).not.toContain('/v1/rerank');
    // Served by an OpenAI and a Cohere channel: the union of both types' paths.
    expect(rows[1].endpoints).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/rerank']));
    expect(rows[2].endpoints).toContain('/v1/rerank');
  });

  it('follows the caller’s group and needs a signed-in user', async () => {
    if (!h) return;
    const res = await h.http().get('/api/user/models').set({ Authorization: plain.accessToken }).expect(200);
    expect(res.body.data).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', group_ratio: 1, input_quota_per_1m: 1e6 * getModelRatio('gpt-4o-mini') })]);
    await h.http().get('/api/user/models').expect(401);
  });
});
