import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChannelType } from '@oneapi/domain';
import { startFakeAnthropic, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { ChannelConfigError } from '../errors';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';
import { exchange, type ExchangeFailure, type ExchangeSuccess, type ExchangeResult } from './exchange';
import { UpstreamClient } from './upstream-client';

const KEY = 'sk-exchangeKEY1234567890abcd';
const openai = getAdapter(ChannelType.OpenAI);
const anthropic = getAdapter(ChannelType.Anthropic);
const HI = [{ role: 'user', content: 'hi' }];

function ok(r: ExchangeResult): ExchangeSuccess {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.verdict)}`);
  return r;
}
function failed(r: ExchangeResult): ExchangeFailure {
  if (r.ok) throw new Error(`expected a failure, got status ${r.status}`);
  return r;
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return url;
}

describe('exchange', () => {
  let fake: FakeUpstream;
  let claude: FakeUpstream;
  const client = new UpstreamClient({ connectTimeoutMs: 2000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, totalTimeoutMs: 0 });
  const ch = (over: Partial<ChannelContext> = {}): ChannelContext => ({ id: 1, type: ChannelType.OpenAI, key: KEY, baseUrl: fake.url, config: {}, ...over });

  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: KEY });
    claude = await startFakeAnthropic({ apiKey: KEY, knobs: { promptTokens: 21 } });
  });
  afterEach(() => {
    fake.resetKnobs();
    claude.resetKnobs();
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
    await claude.close();
  });

  it('a JSON chat: the mapped model is sent, the reply and its usage come back', async () => {
    const r = ok(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o-mini', messages: HI }, { upstreamModel: 'fake-model' }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant' } }] });
    expect(r.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const sent = fake.requests.at(-1);
    expect(sent?.body).toEqual({ model: 'fake-model', messages: HI });
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a stream: chunks in order, usage asked for upstream, malformed events dropped', async () => {
    const r = ok(await exchange(client, openai, ch(), 'chat', { model: 'm-chunks-3-malformed', stream: true, messages: HI }));
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const text = (r.chunks ?? []).map((c) => ((c.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')).join('');
    expect(text).toBe('tok0 tok1 tok2 ');
    expect(r.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
  });

  it('a native adapter: the Anthropic stream comes back as OpenAI chunks with usage', async () => {
    const r = ok(await exchange(client, anthropic, ch({ type: ChannelType.Anthropic, baseUrl: claude.url }), 'chat', { model: 'claude-chunks-3', stream: true, messages: HI }));
    expect(r.chunks?.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 21, completion_tokens: 3 } });
    expect(r.usage).toEqual({ prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 });
  });

  it('a reply that is not JSON comes back as bytes (speech)', async () => {
    const r = ok(await exchange(client, openai, ch(), 'audio.speech', { model: 'tts-1', input: 'hello', voice: 'alloy' }));
    expect(r.headers['content-type']).toBe('audio/mpeg');
    expect(r.raw?.subarray(0, 3).toString()).toBe('ID3');
  });

  it("a dead key: the verdict disables and the client hears a generic 502; the upstream's words are sanitised", async () => {
    fake.setKnobs({ status: 401, errorMessage: 'Incorrect API key provided: sk-exch************abcd. You can find your API key at https://platform.openai.com/account/api-keys.' });
    const r = failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI }));
    expect(r.status).toBe(401);
    expect(r.verdict).toMatchObject({ kind: 'credentials', retry: true, coolChannel: true, disableChannel: true, status: 502, error: { code: 'upstream_auth_error' } });
    expect(r.verdict.upstream.message).toBe('Incorrect API key provided: [redacted]. You can find your API key at [url].');
  });

  it("a caller's 400 is passed on and never cools; a 429 keeps its Retry-After", async () => {
    fake.setKnobs({ status: 400, errorMessage: "Invalid 'messages': expected an array" });
    expect(failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI })).verdict).toMatchObject({
      kind: 'caller',
      retry: false,
      coolChannel: false,
      status: 400,
      error: { message: "Invalid 'messages': expected an array", type: 'invalid_request_error' },
    });
    fake.setKnobs({ status: 429, retryAfter: 7 });
    expect(failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI })).verdict).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterSeconds: 7 });
  });

  it('a server error with internal addresses in it reaches nobody raw', async () => {
    fake.setKnobs({ status: 500, errorMessage: 'connect ECONNREFUSED 10.1.2.3:8080 while calling http://internal.corp.example:9000/v1/x' });
    const r = failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI }));
    expect(r.verdict).toMatchObject({ kind: 'server', status: 502, retry: true, disableChannel: false, error: { message: 'connect ECONNREFUSED [ip] while calling [url]' } });
  });

  it('a refused connection is a transport failure with its cause', async () => {
    const r = failed(await exchange(client, openai, ch({ baseUrl: await closedPort() }), 'chat', { model: 'gpt-4o', messages: HI }));
    expect(r.status).toBe(0);
    expect(r.verdict).toMatchObject({ kind: 'unreachable', status: 502, retry: true, coolChannel: true, upstream: { message: 'connect ECONNREFUSED [ip]', code: 'ECONNREFUSED' } });
    expect(r.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('the total timeout and an abort signal end a slow exchange', async () => {
    fake.setKnobs({ latencyMs: 2000 });
    const slow = failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI }, { totalTimeoutMs: 100 }));
    expect(slow.verdict).toMatchObject({ kind: 'timeout', status: 504 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = failed(await exchange(client, openai, ch(), 'chat', { model: 'gpt-4o', messages: HI }, { signal: controller.signal }));
    expect(aborted.status).toBe(0);
    expect(aborted.cause?.name).toBe('AbortError');
  });

  it('a reply over maxBodyBytes is refused, JSON or stream', async () => {
    const json = failed(await exchange(client, openai, ch(), 'chat', { model: 'm-chunks-200-pad-1000', messages: HI }, { maxBodyBytes: 64 * 1024 }));
    expect(json.verdict).toMatchObject({ kind: 'bad_reply', status: 502, retry: true });
    expect(json.cause).toMatchObject({ code: 'UPSTREAM_BODY_TOO_LARGE' });
    const stream = failed(await exchange(client, openai, ch(), 'chat', { model: 'm-chunks-200-pad-1000', stream: true, messages: HI }, { maxBodyBytes: 64 * 1024 }));
    expect(stream.cause).toMatchObject({ code: 'UPSTREAM_BODY_TOO_LARGE' });
  });

  it('a stream reset midway broke off', async () => {
    const r = failed(await exchange(client, openai, ch(), 'chat', { model: 'm-chunks-5-reset-2', stream: true, messages: HI }));
    expect(r.status).toBe(200);
    expect(r.verdict).toMatchObject({ kind: 'bad_reply', error: { message: 'the upstream reply broke off' } });
  });

  it('a channel that cannot serve the request throws before anything is sent', async () => {
    const before = fake.requests.length;
    await expect(exchange(client, openai, ch({ type: ChannelType.Custom, baseUrl: '' }), 'chat', { model: 'gpt-4o', messages: HI })).rejects.toBeInstanceOf(ChannelConfigError);
    expect(fake.requests.length).toBe(before);
  });
});

describe('callAdapter', () => {
  it('throws when no reply arrived at all', async () => {
    const ch: ChannelContext = { id: 1, type: ChannelType.OpenAI, key: KEY, baseUrl: await closedPort(), config: {} };
    await expect(callAdapter(openai, ch, 'chat', { model: 'gpt-4o', messages: HI })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
