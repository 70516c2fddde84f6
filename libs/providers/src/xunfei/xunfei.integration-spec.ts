import { request } from 'node:http';
import { Agent } from 'undici';
import { startConnectProxy, startFakeSpark, type FakeSpark } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { exchange } from '../exchange/exchange';
import { UpstreamClient } from '../exchange/upstream-client';
import { getAdapter } from '../registry';
import { signSparkUrl } from './spark-chat';
import { sparkTransport } from './spark-socket';

const APP_ID = 'spark-app-1';
const API_SECRET = 'spark-api-secret-0001';
const API_KEY = 'spark-api-key-0001';
const TOOLS = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

/** The status a WebSocket handshake to `url` gets. */
function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Spark v1 adapter (18) over WebSocket through the shared exchange', () => {
  let fake: FakeSpark;
  let client: UpstreamClient;
  const adapter = getAdapter(18);
  const ch = (key = `${APP_ID}|${API_SECRET}|${API_KEY}`, config: Record<string, string> = {}): ChannelContext => ({ id: 18, type: 18, key, baseUrl: fake.url, config });

  beforeAll(async () => {
    fake = await startFakeSpark({ appId: APP_ID, apiKey: API_KEY, apiSecret: API_SECRET, promptTokens: 21, completionTokens: 9 });
    client = new UpstreamClient({ connectTimeoutMs: 5000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, totalTimeoutMs: 10000 });
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('a JSON request: the signed socket, the Spark request frame, the frames assembled with their usage', async () => {
    const res = await exchange(client, adapter, ch(), 'chat', { model: 'Spark-Max', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], temperature: 0.5, max_tokens: 64, user: 'u-1' });
    expect(res).toMatchObject({ ok: true, status: 200, body: { object: 'chat.completion', model: 'Spark-Max', choices: [{ message: { role: 'assistant', content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }] } });
    expect(res.ok && res.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe('/v3.5/chat');
    expect(sent?.body).toEqual({
      header: { app_id: APP_ID, uid: 'u-1' },
      parameter: { chat: { domain: 'generalv3.5', temperature: 0.5, max_tokens: 64 } },
      payload: { message: { text: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] } },
    });
  });

  it('a stream: one chunk per frame, stop on the last, usage from it; the version from the channel when the model names none', async () => {
    const res = await exchange(client, adapter, ch(undefined, { api_version: 'v1.1' }), 'chat', { model: 'SparkDesk', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const content = (res.chunks ?? []).map((c) => (c as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '').join('');
    expect(content).toBe('tok0 tok1 tok2 tok3 tok4 ');
    expect(res.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    expect(fake.requests.at(-1)?.path).toBe('/v1.1/chat');
    expect((fake.requests.at(-1)?.body.parameter as { chat: { domain: string } }).chat.domain).toBe('lite');
  });

  it('tools become functions; Spark’s function_call frames are tool calls', async () => {
    const res = await exchange(client, adapter, ch(), 'chat', { model: 'Spark-Pro', tools: TOOLS, messages: [{ role: 'user', content: 'Weather in Paris, and the time?' }] });
    expect(res).toMatchObject({ ok: true, body: { choices: [{ finish_reason: 'tool_calls', message: { content: null, tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { function: { name: 'get_time', arguments: '{"tz":"UTC"}' } }] } }] } });
    expect((fake.requests.at(-1)?.body.payload as { functions: unknown }).functions).toEqual({ text: TOOLS.map((t) => t.function) });
  });

  it('tools on Spark Lite, which has no function calling: 400 naming tools before anything is sent', async () => {
    const before = fake.requests.length;
    await expect(exchange(client, adapter, ch(), 'chat', { model: 'Spark-Lite', tools: TOOLS, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ param: 'tools' });
    expect(fake.requests.length).toBe(before);
  });

  it('a wrong APISecret: the handshake is refused with 401, a credentials verdict without the key', async () => {
    const key = `${APP_ID}|wrong-secret-0002|${API_KEY}`;
    const res = await exchange(client, adapter, ch(key), 'chat', { model: 'Spark-Max', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect({ status: res.status, kind: res.verdict.kind, code: res.verdict.error.code }).toEqual({ status: 401, kind: 'credentials', code: 'upstream_auth_error' });
    expect(JSON.stringify(res.verdict)).not.toContain('wrong-secret');
    expect(fake.refused.at(-1)).toBe(401);
  });

  it('an APPID that is not the APIKey’s: error frame 10313 is the channel’s credentials', async () => {
    const res = await exchange(client, adapter, ch(`other-app|${API_SECRET}|${API_KEY}`), 'chat', { model: 'Spark-Max', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.ok === false && { status: res.status, kind: res.verdict.kind }).toEqual({ status: 401, kind: 'credentials' });
  });

  it('the fake refuses what Spark refuses: a stale date (403) and a signature over another host', async () => {
    const cred = { appId: APP_ID, apiSecret: API_SECRET, apiKey: API_KEY };
    const stale = signSparkUrl(`${fake.url.replace('http', 'ws')}/v3.5/chat`, cred, new Date(Date.now() - 10 * 60_000)).replace(/^ws/, 'http');
    expect(await handshakeStatus(stale)).toBe(403);
    const other = signSparkUrl('ws://spark-api.xf-yun.com/v3.5/chat', cred).replace('ws://spark-api.xf-yun.com', fake.url);
    expect(await handshakeStatus(other)).toBe(401);
    const fresh = signSparkUrl(`${fake.url.replace('http', 'ws')}/v3.5/chat`, cred).replace(/^ws/, 'http');
    expect(await handshakeStatus(fresh)).toBe(101);
  });

  it('a socket closed before the last frame fails the stream after the frames that arrived', async () => {
    const res = await exchange(client, adapter, ch(), 'chat', { model: 'Spark-Max', stream: true, messages: [{ role: 'user', content: 'hi [cut]' }] });
    expect(res.ok === false && res.verdict.kind).toBe('bad_reply');
  });

  it('the socket goes through the channel’s proxy (HTTP CONNECT) and through RELAY_PROXY', async () => {
    const proxy = await startConnectProxy();
    const viaRelayProxy = new UpstreamClient({ connectTimeoutMs: 5000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, totalTimeoutMs: 10000, proxy: proxy.url });
    try {
      const target = new URL(fake.url).host;
      const own = await exchange(client, adapter, ch(undefined, { proxy: proxy.url }), 'chat', { model: 'Spark-Max', messages: [{ role: 'user', content: 'hi' }] });
      expect(own.ok).toBe(true);
      expect(proxy.tunnels).toEqual([target]);
      const shared = await exchange(viaRelayProxy, adapter, ch(), 'chat', { model: 'Spark-Max', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(shared.ok && shared.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
      expect(proxy.tunnels).toEqual([target, target]);
    } finally {
      await viaRelayProxy.close();
      await proxy.close();
    }
  });

  it('a reader that pauses gets the frames that arrived meanwhile, in order, before the end', async () => {
    const sparkReq = { header: { app_id: APP_ID }, parameter: { chat: { domain: 'generalv3.5' } }, payload: { message: { text: [{ role: 'user', content: 'hi' }] } } };
    const url = signSparkUrl(`${fake.url.replace('http', 'ws')}/v3.5/chat`, { appId: APP_ID, apiSecret: API_SECRET, apiKey: API_KEY });
    const events: string[] = [];
    let resume: () => void = () => undefined;
    const ended = new Promise<void>((resolve, reject) => {
      sparkTransport({ url, method: 'POST', headers: {}, body: JSON.stringify(sparkReq) }, {
        onConnect: () => undefined,
        onHeaders: (status, _raw, r) => {
          events.push(`head ${status}`);
          resume = r;
          return true;
        },
        // Holds the body back after the first frame until every frame has arrived.
        onData: (chunk) => {
          events.push(chunk.toString().match(/tok\d/)?.[0] ?? '?');
          return events.length > 2;
        },
        onComplete: () => resolve(),
        onError: reject,
      }, { dispatcher: new Agent(), connectTimeoutMs: 5000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000 });
    });
    const before = fake.requests.length;
    await fake.waitFor(() => fake.requests.length > before && events.length === 2);
    // The fake has sent all five frames and closed; they wait for the reader.
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['head 200', 'tok0']);
    resume();
    await ended;
    expect(events).toEqual(['head 200', 'tok0', 'tok1', 'tok2', 'tok3', 'tok4']);
  });

  it('a socket silent for longer than the idle timeout is closed and fails the reply', async () => {
    const impatient = new UpstreamClient({ connectTimeoutMs: 5000, firstByteTimeoutMs: 5000, idleTimeoutMs: 200, totalTimeoutMs: 0 });
    try {
      const res = await exchange(impatient, adapter, ch(), 'chat', { model: 'Spark-Max', messages: [{ role: 'user', content: 'hi [stall]' }] });
      expect(res.ok === false && { kind: res.verdict.kind, code: (res.cause as { code?: string } | undefined)?.code }).toEqual({ kind: 'timeout', code: 'UND_ERR_BODY_TIMEOUT' });
      await fake.waitFor(() => fake.requests.at(-1)?.closedAt !== undefined);
    } finally {
      await impatient.close();
    }
  });

  it('an aborted exchange closes the socket', async () => {
    const ac = new AbortController();
    const pending = exchange(client, adapter, ch(), 'chat', { model: 'Spark-Max', stream: true, messages: [{ role: 'user', content: 'hi [slow]' }] }, { signal: ac.signal });
    const before = fake.requests.length;
    await fake.waitFor(() => fake.requests.length > before);
    ac.abort();
    expect((await pending).ok).toBe(false);
    await fake.waitFor(() => fake.requests.at(-1)?.closedAt !== undefined);
  });
});
