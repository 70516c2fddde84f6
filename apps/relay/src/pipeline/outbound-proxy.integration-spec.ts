import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { ChannelType } from '@oneapi/domain';
import { startConnectProxy, startFakeGemini, startFakeOpenAI, type ConnectProxy, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/**
 * Outbound proxies: RELAY_PROXY for every upstream call and a channel's own `config.proxy`, both
 * through a real HTTP CONNECT proxy on 127.0.0.1 that counts its tunnels.
 */
describe('POST /v1/chat/completions through outbound proxies', () => {
  let fake: FakeUpstream;
  let proxy: ConnectProxy;
  const target = () => fake.url.replace(/^http:\/\//, '');

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
  });

  async function seed(h: RelayHarness, channels: { model: string; proxy?: string; priority?: number }[]): Promise<OpenAI> {
    const userId = await h.createUser({ quota: 10_000_000 });
    const key = await h.createToken({ userId, unlimitedQuota: true });
    for (const c of channels) {
      const id = await h.createChannel({ baseUrl: fake.url, models: [c.model], priority: c.priority ?? 0 });
      if (c.proxy) await h.sql('UPDATE channels SET config = ? WHERE id = ?', [JSON.stringify({ proxy: c.proxy }), id]);
    }
    await h.refresh();
    return new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
  }

  describe('RELAY_PROXY', () => {
    let h: RelayHarness;
    beforeAll(async () => {
      h = await startRelayHarness('sqlite', { RELAY_PROXY: proxy.url });
    });
    afterAll(() => h?.close());

    it('sends every upstream call through the proxy (one tunnel to the upstream, reused)', async () => {
      const client = await seed(h, [{ model: 'gpt-4o-mini' }]);
      const tunnelsBefore = proxy.tunnels.length;
      const upstreamBefore = fake.count('/chat/completions');
      for (let i = 0; i < 3; i++) {
        const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        expect(r.choices[0].message.content).toBeTruthy();
      }
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).not.toBe('');
      expect(fake.count('/chat/completions')).toBe(upstreamBefore + 4);
      const opened = proxy.tunnels.slice(tunnelsBefore);
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(opened.every((t) => t === target())).toBe(true);
    });
  });

  describe('a channel proxy (config.proxy)', () => {
    let h: RelayHarness;
    beforeAll(async () => {
      h = await startRelayHarness('sqlite');
    });
    afterAll(() => h?.close());

    it('goes through the channel proxy; a channel without one stays direct', async () => {
      const client = await seed(h, [{ model: 'proxied-model', proxy: proxy.url }, { model: 'direct-model' }]);
      const before = proxy.tunnels.length;
      await client.chat.completions.create({ model: 'direct-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(proxy.tunnels.length).toBe(before);
      const r = await client.chat.completions.create({ model: 'proxied-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.choices[0].message.content).toBeTruthy();
      expect(proxy.tunnels.slice(before)).toEqual([target()]);
      expect(fake.requests.at(-1)?.body).toMatchObject({ model: 'proxied-model' });
    });

    it('a proxy that is down fails its channel like an unreachable upstream: the next channel serves', async () => {
      const down = await startConnectProxy();
      await down.close();
      await h.setOption('RetryTimes', '1');
      const client = await seed(h, [
        { model: 'dead-proxy-model', proxy: down.url, priority: 10 },
        { model: 'dead-proxy-model', priority: 0 },
      ]);
      const upstreamBefore = fake.count('/chat/completions');
      const r = await client.chat.completions.create({ model: 'dead-proxy-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.choices[0].message.content).toBeTruthy();
      expect(fake.count('/chat/completions')).toBe(upstreamBefore + 1);
      await h.flush();
      const [log] = await h.sql<{ channel_id: number }>("SELECT channel_id FROM logs WHERE model_name = 'dead-proxy-model' ORDER BY id DESC LIMIT 1");
      const [direct] = await h.sql<{ id: number }>("SELECT id FROM channels WHERE models = 'dead-proxy-model' AND (config IS NULL OR config NOT LIKE '%proxy%')");
      expect(Number(log.channel_id)).toBe(Number(direct.id));
    });

    it('with no other channel, a proxy that is down answers the unreachable-upstream error', async () => {
      const down = await startConnectProxy();
      await down.close();
      await h.setOption('RetryTimes', '0');
      const client = await seed(h, [{ model: 'only-dead-proxy', proxy: down.url }]);
      const error = await client.chat.completions.create({ model: 'only-dead-proxy', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable' });
      expect((error as Error).message).not.toContain('127.0.0.1');
    });
  });
  describe('USER_CONTENT_REQUEST_PROXY', () => {
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    let h: RelayHarness;
    let gemini: FakeUpstream;
    let images: Server;
    let imageUrl: string;
    let client: OpenAI;
    beforeAll(async () => {
      images = createServer((req, res) => {
        if (req.url === '/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
      imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
      gemini = await startFakeGemini();
      h = await startRelayHarness('sqlite', { USER_CONTENT_REQUEST_PROXY: proxy.url });
      const userId = await h.createUser({ quota: 10_000_000 });
      const key = await h.createToken({ userId, unlimitedQuota: true });
      await h.createChannel({ type: ChannelType.Gemini, key: 'k', baseUrl: gemini.url, models: ['gemini-2.0-flash'] });
      await h.refresh();
      client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
    });
    afterAll(async () => {
      await h?.close();
      await gemini?.close();
      await new Promise<void>((resolve) => images.close(() => resolve()));
    });

    const ask = (url: string) =>
      client.chat.completions.create({
        model: 'gemini-2.0-flash',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url } }] }],
      });

    it('image URLs for Gemini are downloaded through the proxy and sent inline', async () => {
      const before = proxy.tunnels.length;
      await ask(`${imageUrl}/cat.png`);
      const body = gemini.requests.at(-1)?.body as { contents: { parts: unknown[] }[] };
      expect(body.contents[0].parts).toEqual([{ text: 'what is this?' }, { inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } }]);
      expect(proxy.tunnels.slice(before)).toContain(imageUrl.replace(/^http:\/\//, ''));
      // The upstream call itself is not proxied (no RELAY_PROXY).
      expect(proxy.tunnels.slice(before)).not.toContain(gemini.url.replace(/^http:\/\//, ''));
    });

    it('an image URL that cannot be fetched answers 400 naming the part, without calling Gemini', async () => {
      const n = gemini.requests.length;
      const error = await ask(`${imageUrl}/missing.png`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ param: 'messages[0].content[1].image_url.url' });
      expect(gemini.requests.length).toBe(n);
    });
  });
});
