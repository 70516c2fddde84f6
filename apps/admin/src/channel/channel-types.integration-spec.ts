import { CHANNEL_TYPES, ChannelType, Role } from '@oneapi/domain';
import { describeOnEachDb, type TestUser } from '../testing/admin-harness';

interface TypeRow {
  id: number;
  name: string;
  implemented: boolean;
  endpoints: string[];
}

describeOnEachDb('GET /api/channel/types', (get) => {
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    admin = await h.createUser({ role: Role.Admin });
    user = await h.createUser();
  });

  it('lists every registry type with the relay endpoints its adapter serves', async () => {
    const h = get();
    if (!h) return;
    const res = await h.http().get('/api/channel/types').set({ Authorization: admin.accessToken }).expect(200);
    expect(res.body.success).toBe(true);
    const types = res.body.data as TypeRow[];
    expect(types.map((t) => t.id)).toEqual(CHANNEL_TYPES.map((t) => t.id));
    const of = (id: number) => types.find((t) => t.id === id);
    expect(of(ChannelType.Cohere)?.endpoints).toContain('/v1/rerank');
    expect(of(ChannelType.Jina)?.endpoints).toEqual(['/v1/embeddings', '/v1/rerank']);
    expect(of(ChannelType.OpenAI)?.endpoints).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/images/edits', '/v1/images/variations']));
    expect(of(ChannelType.OpenAI)?.endpoints).not.toContain('/v1/rerank');
    expect(of(ChannelType.DeepSeek)?.endpoints).toEqual(['/v1/chat/completions']);
    // Types kept only for imports serve nothing.
    for (const t of types.filter((x) => !x.implemented)) expect(t.endpoints).toEqual([]);
  });

  it('is admin-only', async () => {
    const h = get();
    if (!h) return;
    await h.http().get('/api/channel/types').set({ Authorization: user.accessToken }).expect(403);
    await h.http().get('/api/channel/types').expect(401);
  });
});
