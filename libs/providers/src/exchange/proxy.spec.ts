import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startConnectProxy, startSocks5Proxy, type ConnectProxy } from '@oneapi/testing';
import type { ProviderAdapter } from '../adapter.types';
import { createBalanceFetch } from '../balance/balance-http';
import { authorizeUpstreamRequest, upstreamAuthHttp } from './authorize';
import { proxyUrlProblem } from './proxy';
import { UpstreamClient } from './upstream-client';

describe('proxyUrlProblem', () => {
  it.each(['http://127.0.0.1:3128', 'https://proxy.example:443', 'http://user:p%40ss@10.0.0.1:8080', 'socks5://127.0.0.1:1080'])('accepts %s', (url) => {
    expect(proxyUrlProblem(url)).toBeUndefined();
  });
  it.each([
    ['ftp://127.0.0.1:21', /scheme "ftp"/],
    ['socks4://127.0.0.1:1080', /scheme "socks4"/],
    ['127.0.0.1:3128', /scheme|not a URL/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, why) => {
    expect(proxyUrlProblem(url)).toMatch(why);
  });
});

describe('outbound proxies of the upstream client and balance queries', () => {
  let proxy: ConnectProxy;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    proxy = await startConnectProxy();
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const target = () => origin.replace('http://', '');
  const timeouts = { connectTimeoutMs: 5000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, totalTimeoutMs: 5000 };

  it('a request naming a proxy tunnels through it; one without goes direct', async () => {
    const client = new UpstreamClient(timeouts);
    try {
      const before = proxy.tunnels.length;
      const direct = client.send({ url: `${origin}/a`, method: 'GET', headers: {} });
      await direct.started;
      await direct.collect();
      expect(proxy.tunnels.length).toBe(before);
      const via = client.send({ url: `${origin}/b`, method: 'GET', headers: {}, proxy: proxy.url });
      await via.started;
      expect((await via.collect()).toString()).toBe('{"ok":true}');
      expect(proxy.tunnels.slice(before)).toEqual([target()]);
    } finally {
      await client.close();
    }
  });

  it('a default proxy (RELAY_PROXY) carries every request', async () => {
    const client = new UpstreamClient({ ...timeouts, proxy: proxy.url });
    try {
      const before = proxy.tunnels.length;
      const call = client.send({ url: `${origin}/c`, method: 'GET', headers: {} });
      await call.started;
      await call.collect();
      expect(proxy.tunnels.slice(before)).toEqual([target()]);
    } finally {
      await client.close();
    }
  });

  it('a bad stored proxy fails the exchange instead of throwing', async () => {
    const client = new UpstreamClient(timeouts);
    const call = client.send({ url: `${origin}/d`, method: 'GET', headers: {}, proxy: 'ftp://x' });
    await expect(call.started).rejects.toMatchObject({ code: 'UPSTREAM_PROXY_INVALID' });
    await client.close();
  });

  it('balance queries go through the channel proxy, else the default one', async () => {
    const before = proxy.tunnels.length;
    const viaChannel = await createBalanceFetch()(`${origin}/balance`, { headers: {}, timeoutMs: 5000, proxy: proxy.url });
    expect(viaChannel).toEqual({ status: 200, body: '{"ok":true}' });
    const viaDefault = await createBalanceFetch(proxy.url)(`${origin}/balance`, { headers: {}, timeoutMs: 5000 });
    expect(viaDefault.status).toBe(200);
    expect(proxy.tunnels.length).toBeGreaterThan(before);
  });

  it('a token exchange (authorize) leaves through the channel proxy too', async () => {
    const client = new UpstreamClient(timeouts);
    const adapter = {
      authorize: async (_ch: unknown, req: { headers: Record<string, string> }, http: { post(u: string, h: Record<string, string>, b: string): Promise<{ status: number; text: string }> }) => {
        const token = await http.post(`${origin}/token`, {}, 'grant');
        return { headers: { ...req.headers, authorization: `Bearer ${JSON.parse(token.text).ok}` } };
      },
    } as unknown as ProviderAdapter;
    try {
      const req = { url: `${origin}/x`, method: 'POST' as const, headers: {}, body: '{}', wantUsage: false, systemPromptReset: false };
      const before = proxy.tunnels.length;
      await authorizeUpstreamRequest(adapter, { id: 1, type: 1, key: 'k', config: {} }, req, upstreamAuthHttp(client));
      expect(proxy.tunnels.length).toBe(before);
      const authorized = await authorizeUpstreamRequest(adapter, { id: 1, type: 1, key: 'k', config: {} }, { ...req, proxy: proxy.url }, upstreamAuthHttp(client));
      expect(authorized.headers).toEqual({ authorization: 'Bearer true' });
      expect(proxy.tunnels.slice(before)).toEqual([target()]);
    } finally {
      await client.close();
    }
  });

  it('socks5:// proxies work (undici SOCKS5 agent), per request and as the default', async () => {
    const socks = await startSocks5Proxy();
    const viaChannel = new UpstreamClient(timeouts);
    const viaDefault = new UpstreamClient({ ...timeouts, proxy: socks.url });
    try {
      for (const [client, proxyUrl] of [[viaChannel, socks.url], [viaDefault, undefined]] as const) {
        const call = client.send({ url: `${origin}/s`, method: 'GET', headers: {}, ...(proxyUrl ? { proxy: proxyUrl } : {}) });
        await call.started;
        expect((await call.collect()).toString()).toBe('{"ok":true}');
      }
      expect(socks.tunnels).toEqual([target(), target()]);
    } finally {
      await Promise.all([viaChannel.close(), viaDefault.close()]);
      await socks.close();
    }
  });
});
