import { ChannelType } from '@oneapi/domain';
import { startFakeReplicate, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';

const TOKEN = 'r8_exchange_spec';

describe('Replicate adapter (46) through the shared exchange', () => {
  let fake: FakeUpstream;
  const adapter = getAdapter(ChannelType.Replicate);
  const ch: () => ChannelContext = () => ({ id: 46, type: ChannelType.Replicate, key: TOKEN, baseUrl: fake.url, config: {} });

  beforeAll(async () => {
    fake = await startFakeReplicate({ apiKey: TOKEN, knobs: { promptTokens: 9 } });
  });
  afterAll(() => fake.close());

  it('a stream request gets the finished prediction as chunks, billed from its metrics', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'meta/llama-chunks-2', messages: [{ role: 'user', content: 'hi' }], stream: true });
    // The upstream's own status (a created prediction); the relay answers its client 200.
    expect(res.status).toBe(201);
    const text = (res.chunks ?? []).map((c) => (c as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '').join('');
    expect(text).toBe('tok0 tok1 ');
    expect(res.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
    expect(fake.requests.at(-1)?.headers.prefer).toBe('wait=60');
  });

  it('a failed prediction is a 502 with its error', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'meta/llama-failed', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).toContain('CUDA out of memory');
  });
});
