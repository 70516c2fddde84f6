/**
 * Issue #11: a token with a model allow-list or a subnet list is honoured by a relay that read
 * it from Redis (another node filled the entry), answering 403 on the wrong model or address,
 * never 500: Redis holds the plain row and each node rebuilds its Set and BlockList.
 */
import OpenAI, { APIError } from 'openai';
import { loadTestEnv } from '@oneapi/config';
import { availableDbKinds, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

describe('restricted tokens on two relay nodes sharing Redis', () => {
  let a: RelayHarness;
  let b: RelayHarness;
  let fake: FakeUpstream;

  beforeAll(async () => {
    const kind = (await availableDbKinds()).includes('mysql') ? 'mysql' : 'sqlite';
    fake = await startFakeOpenAI();
    const env = { REDIS_CONN_STRING: loadTestEnv().redisUrl, CACHE_TTL_SECONDS: '300' };
    a = await startRelayHarness(kind, env);
    b = await startRelayHarness(kind, env, { db: a.db });
    await a.createChannel({ baseUrl: fake.url, models: ['allowed-model', 'other-model'] });
    await b.refresh();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await fake?.close();
  });

  const ask = (h: RelayHarness, key: string, model: string) =>
    new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 }).chat.completions
      .create({ model, messages: [{ role: 'user', content: 'hi' }] })
      .then(() => ({ status: 200, code: null as string | null }))
      .catch((e: APIError) => ({ status: e.status, code: e.code ?? null }));

  it('a model allow-list read from Redis: the allowed model passes, another is 403 model_not_allowed', async () => {
    const userId = await a.createUser();
    const key = await a.createToken({ userId, models: 'allowed-model', subnet: '127.0.0.1/32' });
    // Node A loads the token from the database and shares it through Redis.
    expect(await ask(a, key, 'allowed-model')).toEqual({ status: 200, code: null });
    expect(await ask(b, key, 'allowed-model')).toEqual({ status: 200, code: null });
    expect(await ask(b, key, 'other-model')).toMatchObject({ status: 403 });
    expect((await ask(b, key, 'other-model')).code).toMatch(/model/);
  });

  it('a subnet list read from Redis: a caller outside it is 403', async () => {
    const userId = await a.createUser();
    const key = await a.createToken({ userId, subnet: '10.0.0.0/8' });
    expect(await ask(a, key, 'allowed-model')).toMatchObject({ status: 403 });
    const fromRedis = await ask(b, key, 'allowed-model');
    expect(fromRedis.status).toBe(403);
    expect(fromRedis.code).toMatch(/ip|address|subnet/);
  });
});
