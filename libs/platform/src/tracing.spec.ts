import { envSchema, tracingConfig } from '@oneapi/config';
import { startOtlpReceiver, type OtlpReceiver } from '@oneapi/testing';
import { activeTracing, startTracing, stopTracing, traceJob } from './tracing';

const config = (env: Record<string, string>) => tracingConfig(envSchema.parse(env));

describe('startTracing', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(() => stopTracing());
  afterAll(() => receiver.close());

  it('creates nothing without an endpoint; jobs then run bare', async () => {
    expect(startTracing('oneapi-worker', config({}))).toBeNull();
    expect(activeTracing()).toBeNull();
    await expect(traceJob({ queue: 'q', name: 'job', attemptsMade: 0 }, () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('names the service by OTEL_SERVICE_NAME when set; stopping exports what was buffered', async () => {
    const tracing = startTracing('oneapi-worker', config({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'gateway-eu' }));
    expect(tracing).not.toBeNull();
    await traceJob({ queue: 'q', name: 'named', attemptsMade: 0 }, () => Promise.resolve());
    await stopTracing();
    const span = await receiver.waitForSpan((s) => s.name === 'process named');
    expect(span.resource['service.name']).toBe('gateway-eu');
    expect(activeTracing()).toBeNull();
  });

  it('OTEL_TRACES_SAMPLER=always_off records nothing', async () => {
    const tracing = startTracing('oneapi-worker', config({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off' }));
    await traceJob({ queue: 'q', name: 'unsampled', attemptsMade: 0 }, () => Promise.resolve());
    await tracing?.forceFlush();
    await stopTracing();
    expect(receiver.spans.filter((s) => s.name === 'process unsampled')).toEqual([]);
  });
});
