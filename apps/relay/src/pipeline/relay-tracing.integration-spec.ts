import { randomBytes } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { envSchema, tracingConfig } from '@oneapi/config';
import { activeTracing, startTracing, stopTracing, type Tracing } from '@oneapi/platform';
import { startFakeOpenAI, startOtlpReceiver, type FakeUpstream, type OtlpReceiver, type ReceivedSpan } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

type LogRow = { prompt_tokens: number; completion_tokens: number; quota: number; channel_id: number; user_id: number };

describe('relay tracing', () => {
  describe('with OTEL_EXPORTER_OTLP_ENDPOINT unset', () => {
    let h: RelayHarness;
    let fake: FakeUpstream;

    beforeAll(async () => {
      fake = await startFakeOpenAI();
      h = await startRelayHarness('sqlite');
    });
    afterAll(async () => {
      await h?.close();
      await fake?.close();
    });

    it('creates no tracer and sends no traceparent upstream', async () => {
      expect(startTracing('oneapi-relay', tracingConfig(envSchema.parse({})))).toBeNull();
      expect(activeTracing()).toBeNull();
      // No provider registered: OpenTelemetry's API hands out non-recording spans only.
      expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      await h.createChannel({ baseUrl: fake.url, models: ['gpt-4o'] });
      await h.refresh();
      const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(fake.requests.at(-1)?.headers.traceparent).toBeUndefined();
    });
  });

  describe('POST /v1/chat/completions with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
    let receiver: OtlpReceiver;
    let tracing: Tracing;
    let h: RelayHarness;
    let good: FakeUpstream;
    let bad: FakeUpstream;
    let goodChannel: number;
    let badChannel: number;
    let userId: number;
    let tokenId: number;
    let client: OpenAI;

    /**
     * The request's SERVER span. It ends when the relay finished the request (a stream's client
     * may be done reading before that), so the buffer is flushed until it arrives.
     */
    const serverSpan = async (requestId: string): Promise<ReceivedSpan> => {
      const match = (s: ReceivedSpan) => s.kind === SERVER && s.attributes['oneapi.request.id'] === requestId;
      const deadline = Date.now() + 5000;
      while (!receiver.spans.some(match) && Date.now() < deadline) {
        await tracing.forceFlush();
        if (!receiver.spans.some(match)) await new Promise((r) => setTimeout(r, 10));
      }
      return receiver.waitForSpan(match, 0);
    };
    const clientSpans = (server: ReceivedSpan) => receiver.spans.filter((s) => s.kind === CLIENT && s.parentSpanId === server.spanId);
    const logRow = async (requestId: string): Promise<LogRow> => {
      await h.flush();
      const [row] = await h.sql<LogRow>('SELECT prompt_tokens, completion_tokens, quota, channel_id, user_id FROM logs WHERE request_id = ?', [requestId]);
      return row;
    };

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      const env = envSchema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%20one' });
      const started = startTracing('oneapi-relay', tracingConfig(env));
      if (!started) throw new Error('tracing did not start');
      tracing = started;
      good = await startFakeOpenAI({ knobs: { promptTokens: 17, completionTokens: 9 } });
      bad = await startFakeOpenAI({ knobs: { status: 500 } });
      h = await startRelayHarness('sqlite');
      await h.setOption('RetryTimes', '2');
      userId = await h.createUser();
      const key = await h.createToken({ userId });
      tokenId = Number((await h.sql<{ id: number }>('SELECT id FROM tokens WHERE `key` = ?', [key.slice(3)]))[0].id);
      goodChannel = await h.createChannel({ baseUrl: good.url, models: ['gpt-4o', 'gpt-failover'], modelMapping: { 'gpt-4o': 'gpt-4o-2024-08-06' } });
      // Higher priority: the router tries it first for the failover model.
      badChannel = await h.createChannel({ baseUrl: bad.url, models: ['gpt-failover'], priority: 10 });
      await h.refresh();
      client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
    });
    afterAll(async () => {
      await h?.close();
      await stopTracing();
      await good?.close();
      await bad?.close();
      await receiver?.close();
    });

    it('exports a SERVER span with the GenAI attributes, token usage as logged, and a CLIENT span whose traceparent reached the upstream', async () => {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
      expect(data.choices[0].message.content).toBeTruthy();
      const requestId = response.headers.get('x-request-id') ?? '';
      const span = await serverSpan(requestId);
      const log = await logRow(requestId);

      expect(span.name).toBe('chat gpt-4o');
      expect(span.resource['service.name']).toBe('oneapi-relay');
      expect(span.parentSpanId).toBe('');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 17,
        'gen_ai.usage.output_tokens': 9,
        'oneapi.channel.id': goodChannel,
        'oneapi.user.id': userId,
        'oneapi.token.id': tokenId,
        'http.response.status_code': 200,
        'http.route': '/v1/chat/completions',
      });
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(Number(log.prompt_tokens));
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(Number(log.completion_tokens));
      expect(span.attributes['oneapi.quota']).toBe(Number(log.quota));
      expect(span.events.filter((e) => e.name === 'retry')).toEqual([]);

      const [upstream, ...more] = clientSpans(span);
      expect(more).toEqual([]);
      expect(upstream).toMatchObject({ traceId: span.traceId, name: 'chat gpt-4o-2024-08-06' });
      expect(upstream.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-2024-08-06', 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'oneapi.channel.id': goodChannel });
      expect(good.requests.at(-1)?.headers.traceparent).toBe(`00-${span.traceId}-${upstream.spanId}-01`);
      // OTEL_EXPORTER_OTLP_HEADERS reach the collector (URL-decoded, as the spec says).
      expect(receiver.requests.at(-1)?.headers['x-collector-key']).toBe('k one');
      expect(receiver.requests.at(-1)?.contentType).toContain('application/json');
    });

    it('a stream carries its time to first token as an event and the usage it billed', async () => {
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).not.toBe('');
      const requestId = response.headers.get('x-request-id') ?? '';
      const span = await serverSpan(requestId);
      const log = await logRow(requestId);
      expect(span.name).toBe('chat gpt-4o');
      expect(span.attributes).toMatchObject({ 'oneapi.stream': true, 'gen_ai.usage.input_tokens': Number(log.prompt_tokens), 'gen_ai.usage.output_tokens': Number(log.completion_tokens), 'oneapi.quota': Number(log.quota) });
      const first = span.events.find((e) => e.name === 'gen_ai.first_token');
      expect(first?.attributes['gen_ai.server.time_to_first_token']).toEqual(expect.any(Number));
      expect(clientSpans(span)).toHaveLength(1);
    });

    it('a failover to another channel is a retry event, with one CLIENT span per attempt', async () => {
      const { response } = await client.chat.completions.create({ model: 'gpt-failover', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
      const requestId = response.headers.get('x-request-id') ?? '';
      const span = await serverSpan(requestId);
      const log = await logRow(requestId);
      expect(Number(log.channel_id)).toBe(goodChannel);
      expect(span.attributes).toMatchObject({ 'oneapi.channel.id': goodChannel, 'http.response.status_code': 200, 'gen_ai.response.model': 'gpt-failover', 'gen_ai.usage.input_tokens': Number(log.prompt_tokens) });
      expect(span.status.code).not.toBe(ERROR);

      const retries = span.events.filter((e) => e.name === 'retry');
      expect(retries).toHaveLength(1);
      expect(retries[0].attributes).toMatchObject({ 'oneapi.channel.id': goodChannel, 'oneapi.previous_channel.id': badChannel, 'error.type': expect.any(String) });

      const attempts = clientSpans(span);
      const failed = attempts.find((s) => s.attributes['oneapi.channel.id'] === badChannel);
      const served = attempts.find((s) => s.attributes['oneapi.channel.id'] === goodChannel);
      expect(attempts).toHaveLength(2);
      expect(failed?.attributes['http.response.status_code']).toBe(500);
      expect(failed?.status.code).toBe(ERROR);
      expect(failed?.attributes['error.type']).toEqual(expect.any(String));
      expect(served?.attributes['http.response.status_code']).toBe(200);
      // Each upstream saw its own attempt's span as the parent.
      expect(bad.requests.at(-1)?.headers.traceparent).toBe(`00-${span.traceId}-${failed?.spanId}-01`);
      expect(good.requests.at(-1)?.headers.traceparent).toBe(`00-${span.traceId}-${served?.spanId}-01`);
    });

    it("honours the client's traceparent as the parent of the request's span", async () => {
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      const { response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }, { headers: { traceparent: `00-${traceId}-${parentId}-01` } })
        .withResponse();
      const span = await serverSpan(response.headers.get('x-request-id') ?? '');
      expect(span.traceId).toBe(traceId);
      expect(span.parentSpanId).toBe(parentId);
      expect(good.requests.at(-1)?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    });

    it('a refused request is traced with its status and error.type', async () => {
      const bogus = new OpenAI({ apiKey: 'sk-not-a-token', baseURL: h.baseURL, maxRetries: 0 });
      const error = await bogus.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const requestId = (error as InstanceType<typeof OpenAI.AuthenticationError>).headers?.get('x-request-id') ?? '';
      const span = await serverSpan(requestId);
      expect(span.name).toBe('chat');
      expect(span.attributes).toMatchObject({ 'http.response.status_code': 401, 'error.type': 'invalid_api_key' });
      expect(clientSpans(span)).toEqual([]);
    });
  });
});
