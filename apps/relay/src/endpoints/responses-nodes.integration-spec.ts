/**
 * Stored responses across relay nodes sharing Redis: a response created through one node is
 * found, continued and deleted through another (its home is in Redis, not only in the creating
 * node's memory). Azure channels serve the Responses API natively on their v1 surface.
 */
import OpenAI from 'openai';
import { loadTestEnv } from '@oneapi/config';
import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, startFakeAzure, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

describe('/v1/responses on two relay nodes sharing Redis', () => {
  let a: RelayHarness;
  let b: RelayHarness;
  let fakeA: FakeUpstream;
  let fakeB: FakeUpstream;
  let azure: FakeUpstream;
  let key: string;
  let chA: number;
  let chAzure: number;

  beforeAll(async () => {
    const kind = (await availableDbKinds()).includes('mysql') ? 'mysql' : 'sqlite';
    fakeA = await startFakeOpenAI();
    fakeB = await startFakeOpenAI();
    azure = await startFakeAzure();
    const env = { REDIS_CONN_STRING: loadTestEnv().redisUrl };
    a = await startRelayHarness(kind, env);
    b = await startRelayHarness(kind, env, { db: a.db });
    for (const h of [a, b]) await h.setOption('ModelRatio', JSON.stringify({ 'gpt-nodes': 1, 'gpt-az': 1 }));
    const userId = await a.createUser();
    key = await a.createToken({ userId });
    chA = await a.createChannel({ type: ChannelType.OpenAI, baseUrl: fakeA.url, models: ['gpt-nodes'] });
    await a.createChannel({ type: ChannelType.OpenAI, baseUrl: fakeB.url, models: ['gpt-nodes'] });
    chAzure = await a.createChannel({ type: ChannelType.Azure, key: 'az-key', baseUrl: azure.url, models: ['gpt-az'] });
    await a.refresh();
    await b.refresh();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await fakeA?.close();
    await fakeB?.close();
    await azure?.close();
  });

  const client = (h: RelayHarness) => new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
  const channelOf = async (h: RelayHarness, requestId: string | null) => {
    await h.flush();
    const [row] = await eventually(() => h.sql<{ channel_id: number }>('SELECT channel_id FROM logs WHERE request_id = ?', [requestId]).then((r) => (r.length ? r : null)));
    return Number(row.channel_id);
  };

  it('created through node A, retrieved, continued and deleted through node B on the same channel', async () => {
    const { data: created, response } = await client(a).responses.create({ model: 'gpt-nodes', input: 'hello' }).withResponse();
    const home = await channelOf(a, response.headers.get('x-request-id'));
    const homeFake = home === chA ? fakeA : fakeB;
    const otherFake = home === chA ? fakeB : fakeA;
    const otherBefore = otherFake.count('/responses');
    expect(await client(b).responses.retrieve(created.id)).toMatchObject({ id: created.id });
    for (let i = 0; i < 6; i++) {
      const next = await client(b).responses.create({ model: 'gpt-nodes', input: 'more', previous_response_id: created.id });
      expect(next.previous_response_id).toBe(created.id);
    }
    expect(otherFake.count('/responses')).toBe(otherBefore);
    expect(homeFake.requestsTo(`/v1/responses/${created.id}`)).toHaveLength(1);
    await client(b).responses.delete(created.id);
    await expect(client(a).responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('Azure: /openai/v1/responses with the api-key, stream usage billed, stored response retrieved there', async () => {
    const stream = await client(a).responses.create({ model: 'gpt-az', input: 'hello', stream: true });
    let id = '';
    let text = '';
    for await (const e of stream) {
      if (e.type === 'response.created') id = e.response.id;
      if (e.type === 'response.output_text.delta') text += e.delta;
    }
    expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ');
    const sent = azure.requestsTo('/openai/v1/responses')[0];
    expect(sent.headers['api-key']).toBe('az-key');
    expect(sent.query).toEqual({});
    await a.flush();
    const [log] = await eventually(() => a.sql<{ channel_id: number; prompt_tokens: number; completion_tokens: number }>('SELECT channel_id, prompt_tokens, completion_tokens FROM logs WHERE model_name = ?', ['gpt-az']).then((r) => (r.length ? r : null)));
    expect({ channel: Number(log.channel_id), prompt: Number(log.prompt_tokens), completion: Number(log.completion_tokens) }).toEqual({ channel: chAzure, prompt: 10, completion: 5 });
    expect(await client(b).responses.retrieve(id)).toMatchObject({ id, status: 'completed' });
  });
});
