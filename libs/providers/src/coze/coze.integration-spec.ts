import { ChannelType } from '@oneapi/domain';
import { startFakeCoze, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';

const TOKEN = 'pat_exchange_spec';

describe('Coze adapter (34) through the shared exchange (as the worker’s channel test uses it)', () => {
  let fake: FakeUpstream;
  const adapter = getAdapter(ChannelType.Coze);
  const ch = (key = TOKEN): ChannelContext => ({ id: 34, type: ChannelType.Coze, key, baseUrl: fake.url, config: {} });

  beforeAll(async () => {
    fake = await startFakeCoze({ apiKey: TOKEN, knobs: { promptTokens: 11 } });
  });
  afterAll(() => fake.close());

  it('a JSON request streams upstream and comes back assembled, with the usage Coze counted', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'bot-7001-chunks-3', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'chat.completion', model: 'bot-7001-chunks-3', choices: [{ message: { role: 'assistant', content: 'tok0 tok1 tok2 ' }, finish_reason: 'stop' }] });
    expect(res.usage).toEqual({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    expect(fake.requests.at(-1)?.body).toMatchObject({ bot_id: '7001-chunks-3', stream: true });
  });

  it('a token Coze refuses (code 4100 with HTTP 200) is a 401 with Coze’s message', async () => {
    const res = await callAdapter(adapter, ch('pat_wrong'), 'chat', { model: 'bot-7001', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).toContain('authentication is invalid');
  });
});
