import { envSchema } from './config.schema';
import { loadConfig } from './load-config';
import { tracingConfig } from './tracing-config';

const base = { SQLITE_PATH: '/tmp/oneapi-config-spec/one-api.db', SESSION_SECRET: 'k3y-for-config-spec-0123456789abcdef' };

describe('tracingConfig (OTEL_* variables)', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(tracingConfig(loadConfig(base).env)).toBeNull();
    expect(tracingConfig(loadConfig({ ...base, OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).env)).toBeNull();
  });

  it('reads the endpoint, headers, service name and sampler as the OpenTelemetry SDK does', () => {
    const env = loadConfig({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%2Cb%3Dc, x-team = gateway',
      OTEL_SERVICE_NAME: 'gateway-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).env;
    expect(tracingConfig(env)).toEqual({
      tracesUrl: 'https://collector.example:4318/v1/traces',
      headers: { 'api-key': 'a,b=c', 'x-team': 'gateway' },
      serviceName: 'gateway-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });

  it('defaults to the parent-based always-on sampler', () => {
    expect(tracingConfig(envSchema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }))).toMatchObject({ sampler: 'parentbased_always_on', samplerRatio: 1, headers: {} });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'not a url'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'no-equals-sign'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'k=%E0%A4%A'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_TRACES_SAMPLER_ARG', 'half'],
  ])('names %s when its value %s is bad', (variable, value) => {
    expect(() => loadConfig({ ...base, [variable]: value })).toThrow(expect.objectContaining({ variable, name: 'ConfigError' }));
  });
});
