import { ChannelType, LogType, Role } from '@oneapi/domain';
import { describeOnEachDb, type TestUser } from '../testing/admin-harness';
import { lastDays } from './dashboard.controller';

describeOnEachDb('GET /api/user/dashboard, /api/user/available_models, /api/models, /api/group/', (get) => {
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let vip: TestUser;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
    alice = await h.createUser();
    bob = await h.createUser();
    vip = await h.createUser({ group: 'vip' });
  });
  const as = (u: TestUser) => ({ Authorization: u.accessToken });

  it('sums the caller’s consumption per local day and model over the last 7 days', async () => {
    const h = get();
    if (!h) return;
    const { start, end, offset } = lastDays(7);
    const day = (t: number) => new Date((t + offset) * 1000).toISOString().slice(0, 10);
    const today = end - 3600;
    const threeDaysAgo = today - 3 * 86_400;
    const rows: Array<[number, number, number, string, number]> = [
      [alice.id, LogType.Consume, today, 'gpt-4o', 10],
      [alice.id, LogType.Consume, today - 60, 'gpt-4o', 5],
      [alice.id, LogType.Consume, today, 'o1', 1],
      [alice.id, LogType.Consume, threeDaysAgo, 'gpt-4o', 7],
      [alice.id, LogType.Consume, start - 10, 'gpt-4o', 1000],
      [alice.id, LogType.Topup, today, '', 5000],
      [bob.id, LogType.Consume, today, 'gpt-4o', 99],
    ];
    for (const [uid, type, at, model, quota] of rows) {
      await h.runtime.db.logSource.query(
        'INSERT INTO logs (user_id, created_at, type, content, username, model_name, quota, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [uid, at, type, '', '', model, quota, 3, 2],
      );
    }
    const res = await h.http().get('/api/user/dashboard').set(as(alice)).expect(200);
    expect(res.body.data).toEqual([
      { Day: day(threeDaysAgo), ModelName: 'gpt-4o', RequestCount: 1, Quota: 7, PromptTokens: 3, CompletionTokens: 2 },
      { Day: day(today), ModelName: 'gpt-4o', RequestCount: 2, Quota: 15, PromptTokens: 6, CompletionTokens: 4 },
      { Day: day(today), ModelName: 'o1', RequestCount: 1, Quota: 1, PromptTokens: 3, CompletionTokens: 2 },
    ]);
    await h.http().get('/api/user/dashboard').expect(401);
  });

  it('lists the models the caller’s group can use, from enabled channels’ abilities', async () => {
    const h = get();
    if (!h) return;
    await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'k-default', models: 'gpt-4o,o1', group: 'default' }).expect(200);
    await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'k-vip', models: 'gpt-4.1,o1', group: 'vip' }).expect(200);
    await h.http().post('/api/channel').set(as(admin)).send({ type: ChannelType.OpenAI, key: 'k-off', models: 'secret-model', group: 'default', status: 2 }).expect(200);

    const mine = await h.http().get('/api/user/available_models').set(as(alice)).expect(200);
    expect(mine.body.data).toEqual(['gpt-4o', 'o1']);
    // One API's shape: channel type id → that type's default models, whatever the caller's group.
    const models = await h.http().get('/api/models').set(as(alice)).expect(200);
    expect(models.body).toMatchObject({ success: true, message: '' });
    expect(models.body.data[String(ChannelType.OpenAI)]).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
    expect(models.body.data[String(ChannelType.Anthropic)]).toEqual(expect.arrayContaining([expect.stringMatching(/^claude-/)]));
    expect(Object.values(models.body.data).every((list) => Array.isArray(list))).toBe(true);
    const vips = await h.http().get('/api/user/available_models').set(as(vip)).expect(200);
    expect(vips.body.data).toEqual(['gpt-4.1', 'o1']);
    await h.http().get('/api/models').expect(401);
  });

  it('GET /api/group/ answers the GroupRatio keys (admin), One API’s default groups when unset', async () => {
    const h = get();
    if (!h) return;
    const defaults = await h.http().get('/api/group/').set(as(admin)).expect(200);
    expect(defaults.body.data).toEqual(['default', 'vip', 'svip']);
    await h.runtime.options.set('GroupRatio', JSON.stringify({ default: 1, partner: 0.8 }));
    const res = await h.http().get('/api/group/').set(as(admin)).expect(200);
    expect(res.body.data).toEqual(['default', 'partner']);
    await h.http().get('/api/group').set(as(alice)).expect(403);
  });
});
