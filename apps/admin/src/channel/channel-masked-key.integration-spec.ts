import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';

const KEY = 'sk-upstream-real-key-0000000001';

/**
 * One API's frontend (and read-modify-write scripts) GET a channel, change a field and PUT the
 * whole object back, masked key included: the stored key must survive, proven by what the
 * upstream receives on the next channel test.
 */
describe.each([['sqlite'], ['mysql']] as const)('PUT /api/channel/ with the masked key from GET (%s)', (kind) => {
  let h: AdminHarness | undefined;
  let fake: FakeUpstream;
  let auth: Record<string, string>;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes(kind)) return;
    fake = await startFakeOpenAI({ apiKey: KEY });
    h = await startAdminHarness(kind);
    auth = { Authorization: h.root.accessToken };
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  const lastAuthorization = () => fake.requests[fake.requests.length - 1]?.headers.authorization;

  it('keeps the stored key, and the upstream still receives the real key', async () => {
    if (!h) return;
    const created = await h.http().post('/api/channel').set(auth).send({ type: ChannelType.OpenAI, key: KEY, name: 'round-trip', base_url: fake.url, models: 'gpt-4o-mini' }).expect(200);
    const id: number = created.body.data.ids[0];
    const got = await h.http().get(`/api/channel/${id}`).set(auth).expect(200);
    const masked: string = got.body.data.key;
    expect(masked).toBe('sk-u****0001');

    const put = await h.http().put('/api/channel/').set(auth).send({ ...got.body.data, name: 'renamed', priority: 3 }).expect(200);
    expect(put.body.data).toMatchObject({ name: 'renamed', priority: 3, key: masked });

    await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200).expect((res) => expect(res.body).toMatchObject({ success: true }));
    expect(lastAuthorization()).toBe(`Bearer ${KEY}`);

    // An empty key means "unchanged" too (One API's update ignores empty fields).
    await h.http().put('/api/channel/').set(auth).send({ ...got.body.data, key: '' }).expect(200);
    await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200).expect((res) => expect(res.body).toMatchObject({ success: true }));
    expect(lastAuthorization()).toBe(`Bearer ${KEY}`);
  });

  it('a new key that only looks masked, or a real new key, replaces the stored key', async () => {
    if (!h) return;
    const created = await h.http().post('/api/channel').set(auth).send({ type: ChannelType.OpenAI, key: KEY, name: 'replace', base_url: fake.url, models: 'gpt-4o-mini' }).expect(200);
    const id: number = created.body.data.ids[0];
    // Not this key's mask (other last four): taken as a new key, and the upstream refuses it.
    await h.http().put('/api/channel/').set(auth).send({ id, key: 'sk-u****9999' }).expect(200);
    const refused = await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200);
    expect(refused.body.success).toBe(false);
    expect(lastAuthorization()).toBe('Bearer sk-u****9999');
    await h.http().put('/api/channel/').set(auth).send({ id, key: KEY }).expect(200);
    await h.http().post(`/api/channel/test/${id}`).set(auth).expect(200).expect((res) => expect(res.body).toMatchObject({ success: true }));
    expect(lastAuthorization()).toBe(`Bearer ${KEY}`);
  });
});
