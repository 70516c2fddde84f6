import { LogType, Role } from '@oneapi/domain';
import { describeOnEachDb, type AdminHarness, type TestUser } from '../testing/admin-harness';

interface Seed {
  user: TestUser;
  type: LogType;
  at: number;
  model?: string;
  token?: string;
  quota?: number;
  channel?: number;
  content?: string;
}

async function seed(h: AdminHarness, rows: Seed[]): Promise<void> {
  for (const r of rows) {
    await h.runtime.db.logSource.query(
      'INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id, request_id, elapsed_time, is_stream) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [r.user.id, r.at, r.type, r.content ?? 'seed', r.user.username, r.token ?? '', r.model ?? '', r.quota ?? 0, 10, 5, r.channel ?? 0, 'req', 120, 0],
    );
  }
}

describeOnEachDb('/api/log', (get) => {
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const T = 1_700_000_000;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
    alice = await h.createUser();
    bob = await h.createUser();
    await seed(h, [
      { user: alice, type: LogType.Consume, at: T, model: 'gpt-4o', token: 'ci', quota: 100, channel: 1 },
      { user: alice, type: LogType.Consume, at: T + 100, model: 'gpt-4o-mini', token: 'ci', quota: 20, channel: 2 },
      { user: alice, type: LogType.Consume, at: T + 200, model: 'gpt-4o', token: 'laptop', quota: 7, channel: 2 },
      { user: alice, type: LogType.Topup, at: T + 300, quota: 5000, content: 'Topped up with a code' },
      { user: bob, type: LogType.Consume, at: T + 50, model: 'gpt-4o', token: 'ci', quota: 1000, channel: 1, content: 'bob secret' },
    ]);
  });

  const as = (u: TestUser) => ({ Authorization: u.accessToken });

  it('GET /api/log/self lists only the caller’s logs, newest first, with filters and total', async () => {
    const h = get();
    if (!h) return;
    const all = await h.http().get('/api/log/self').set(as(alice)).expect(200);
    expect(all.body.total).toBe(4);
    expect(all.body.data.map((l: { created_at: number }) => l.created_at)).toEqual([T + 300, T + 200, T + 100, T]);
    expect(all.body.data.every((l: { user_id: number; channel?: number }) => l.user_id === alice.id && l.channel === undefined)).toBe(true);
    // One API's field, false on rows the channel's system prompt did not touch.
    expect(all.body.data.every((l: { system_prompt_reset?: unknown }) => l.system_prompt_reset === false)).toBe(true);

    const q = async (query: Record<string, string | number>) => (await h.http().get('/api/log/self').query(query).set(as(alice)).expect(200)).body;
    expect((await q({ type: LogType.Consume })).total).toBe(3);
    expect((await q({ model_name: 'gpt-4o' })).total).toBe(2);
    expect((await q({ token_name: 'ci' })).total).toBe(2);
    expect((await q({ start_timestamp: T + 100, end_timestamp: T + 200 })).total).toBe(2);
    // username is an admin filter: a user cannot use it to read someone else's logs.
    expect((await q({ username: bob.username })).total).toBe(4);
    const page = await q({ p: 1, page_size: 3 });
    expect([page.data.length, page.total]).toEqual([1, 4]);
  });

  it('GET /api/log/self/stat sums consumed quota for the filter', async () => {
    const h = get();
    if (!h) return;
    const all = await h.http().get('/api/log/self/stat').set(as(alice)).expect(200);
    expect(all.body.data).toEqual({ quota: 127, token: 45 });
    const filtered = await h.http().get('/api/log/self/stat').query({ model_name: 'gpt-4o', start_timestamp: T + 1 }).set(as(alice)).expect(200);
    expect(filtered.body.data.quota).toBe(7);
  });

  it('admin GET /api/log/ filters by username and channel; /stat totals; search routes', async () => {
    const h = get();
    if (!h) return;
    const all = await h.http().get('/api/log').set(as(admin)).expect(200);
    expect(all.body.total).toBe(5);
    expect(all.body.data[0]).toHaveProperty('channel');
    const byUser = await h.http().get('/api/log').query({ username: bob.username }).set(as(admin)).expect(200);
    expect(byUser.body.data.map((l: { quota: number }) => l.quota)).toEqual([1000]);
    const byChannel = await h.http().get('/api/log').query({ channel: 2 }).set(as(admin)).expect(200);
    expect(byChannel.body.total).toBe(2);
    const stat = await h.http().get('/api/log/stat').query({ channel: 1 }).set(as(admin)).expect(200);
    expect(stat.body.data.quota).toBe(1100);

    const search = await h.http().get('/api/log/search').query({ keyword: 'secret' }).set(as(admin)).expect(200);
    expect(search.body.data.map((l: { user_id: number }) => l.user_id)).toEqual([bob.id]);
    const selfSearch = await h.http().get('/api/log/self/search').query({ keyword: 'secret' }).set(as(alice)).expect(200);
    expect(selfSearch.body.data).toEqual([]);
    const own = await h.http().get('/api/log/self/search').query({ keyword: 'Topped' }).set(as(alice)).expect(200);
    expect(own.body.data).toHaveLength(1);
  });

  it('bad filters answer 400 naming the field; admin routes refuse users', async () => {
    const h = get();
    if (!h) return;
    for (const [query, field] of [
      [{ type: 'abc' }, /type/],
      [{ type: 9 }, /type/],
      [{ start_timestamp: 'yesterday' }, /start_timestamp/],
      [{ start_timestamp: T + 10, end_timestamp: T }, /start_timestamp/],
      [{ page_size: 0 }, /page_size/],
    ] as const) {
      const res = await h.http().get('/api/log/self').query(query).set(as(alice));
      expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(field)]);
    }
    await h.http().get('/api/log').set(as(alice)).expect(403);
    await h.http().get('/api/log/stat').set(as(alice)).expect(403);
    await h.http().delete('/api/log').query({ target_timestamp: T + 1000 }).set(as(alice)).expect(403);
    await h.http().get('/api/log/self').expect(401);
  });

  it('DELETE /api/log/?target_timestamp= deletes older logs in batches and answers the count', async () => {
    const h = get();
    if (!h) return;
    await h.http().delete('/api/log').set(as(admin)).expect(400);
    await h.http().delete('/api/log').query({ target_timestamp: 'soon' }).set(as(admin)).expect(400);
    const res = await h.http().delete('/api/log').query({ target_timestamp: T + 150 }).set(as(admin)).expect(200);
    expect(res.body.data).toBe(3);
    const left = await h.runtime.db.logSource.query('SELECT created_at FROM logs ORDER BY created_at');
    expect((left as Array<{ created_at: number }>).map((r) => Number(r.created_at))).toEqual([T + 200, T + 300]);
  });
});
