import type { Env } from './config.schema';

export type TraceSampler = Env['OTEL_TRACES_SAMPLER'];

/** Where and how a service exports its traces (OTLP over HTTP, JSON). */
export interface TracingConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT with the signal path `/v1/traces` appended, as the SDK does. */
  tracesUrl: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, e.g. the API key of a hosted collector. */
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME; each service names itself (oneapi-relay, ...) when unset. */
  serviceName?: string;
  sampler: TraceSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the ratio samplers (default 1). */
  samplerRatio: number;
}

/** The tracing settings of a validated environment; null when tracing is off (no endpoint). */
export function tracingConfig(env: Env): TracingConfig | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  return {
    tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: env.OTEL_EXPORTER_OTLP_HEADERS,
    serviceName: env.OTEL_SERVICE_NAME,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}
