import { randomBytes } from 'node:crypto';
import { envSchema, tracingConfig } from '@oneapi/config';
import { startTracing, stopTracing, type Tracing } from '@oneapi/platform';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from './testing/admin-harness';

const SERVER = 2;

describe('admin tracing: a span per /api request', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let h: AdminHarness;

  /** The first SERVER span matching `predicate`, flushing the exporter until it arrives. */
  const span = async (predicate: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan> => {
    const match = (s: ReceivedSpan) => s.kind === SERVER && predicate(s);
    const deadline = Date.now() + 5000;
    while (!receiver.spans.some(match) && Date.now() < deadline) {
      await tracing.forceFlush();
      if (!receiver.spans.some(match)) await new Promise((r) => setTimeout(r, 10));
    }
    return receiver.waitForSpan(match, 0);
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const started = startTracing('oneapi-admin', tracingConfig(envSchema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })));
    if (!started) throw new Error('tracing did not start');
    tracing = started;
    h = await startAdminHarness('sqlite');
  });
  afterAll(async () => {
    await h?.close();
    await stopTracing();
    await receiver?.close();
  });

  it('names the span by method and route template, with the user and the status', async () => {
    const user = await h.createUser();
    await h.http().get(`/api/user/${user.id}`).set('Authorization', h.root.accessToken).expect(200);
    const s = await span((x) => x.attributes['url.path'] === `/api/user/${user.id}`);
    expect(s.name).toBe('GET /api/user/:id');
    expect(s.resource['service.name']).toBe('oneapi-admin');
    expect(s.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/api/user/:id', 'http.response.status_code': 200, 'oneapi.user.id': h.root.id });
  });

  it('a refused request has its status and no user; an incoming traceparent is the parent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    await h.http().get('/api/user/self').set('traceparent', `00-${traceId}-${parentId}-01`).expect(401);
    const s = await span((x) => x.traceId === traceId);
    expect(s.name).toBe('GET /api/user/self');
    expect(s.parentSpanId).toBe(parentId);
    expect(s.attributes['http.response.status_code']).toBe(401);
    expect(s.attributes['oneapi.user.id']).toBeUndefined();
  });
});
