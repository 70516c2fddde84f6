import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  diag,
  propagation,
  trace,
  DiagLogLevel,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { APP_VERSION, type TraceSampler, type TracingConfig } from '@oneapi/config';

/** The process's tracer and the W3C trace-context propagator its spans travel with. */
export interface Tracing {
  readonly serviceName: string;
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  /** Exports every ended span now (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
}

interface ActiveTracing extends Tracing {
  provider: NodeTracerProvider;
}

let active: ActiveTracing | null = null;

/**
 * The running tracing, or null when tracing is off. Callers read it once (at construction or
 * per request) and create nothing when it is null, so an untraced process pays one check.
 */
export function activeTracing(): Tracing | null {
  return active;
}

function sampler(kind: TraceSampler, ratio: number): Sampler {
  switch (kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/**
 * Starts OpenTelemetry tracing for this process when `config` is set (OTEL_EXPORTER_OTLP_ENDPOINT):
 * a Node tracer provider with a batching OTLP/HTTP (JSON) exporter, the W3C trace-context
 * propagator and `service.name` = OTEL_SERVICE_NAME or `serviceName`. Returns null, creating
 * nothing, when tracing is off. The SDK's own complaints (a collector that cannot be reached)
 * go to `logger` as warnings.
 */
export function startTracing(serviceName: string, config: TracingConfig | null, logger?: Logger): Tracing | null {
  if (!config) return null;
  if (active) throw new Error(`tracing already started for ${active.serviceName}`);
  const name = config.serviceName ?? serviceName;
  if (logger) {
    const log = logger.child({ component: 'opentelemetry' });
    diag.setLogger(
      {
        error: (message, ...args) => log.warn({ args }, message),
        warn: (message, ...args) => log.warn({ args }, message),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      DiagLogLevel.WARN,
    );
  }
  const propagator = new W3CTraceContextPropagator();
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: name, [ATTR_SERVICE_VERSION]: APP_VERSION })),
    sampler: sampler(config.sampler, config.samplerRatio),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers }))],
  });
  // Global registration lets any OpenTelemetry-aware library join the same traces.
  provider.register({ propagator });
  active = {
    serviceName: name,
    tracer: provider.getTracer('oneapi', APP_VERSION),
    propagator,
    provider,
    forceFlush: () => provider.forceFlush(),
  };
  return active;
}

/** Exports what is still buffered and stops tracing (graceful shutdown); a no-op when off. */
export async function stopTracing(): Promise<void> {
  const current = active;
  if (!current) return;
  active = null;
  await current.provider.shutdown().catch(() => undefined);
  trace.disable();
  propagation.disable();
  context.disable();
  diag.disable();
}

/** The parent context carried by incoming `traceparent`/`tracestate` headers (ROOT when none). */
export function extractParent(tracing: Tracing, headers: Record<string, string | string[] | undefined>): Context {
  return tracing.propagator.extract(ROOT_CONTEXT, headers, HEADER_GETTER);
}

/** `traceparent` (and `tracestate`) for an outgoing request made under `span`. */
export function injectHeaders(tracing: Tracing, span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  tracing.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier;
}

const HEADER_GETTER = {
  keys: (carrier: Record<string, string | string[] | undefined>) => Object.keys(carrier),
  get: (carrier: Record<string, string | string[] | undefined>, key: string) => carrier[key],
};

/** Marks a span failed with OpenTelemetry's `error.type` (a short, low-cardinality kind) and the message. */
export function failSpan(span: Span, errorType: string, message?: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** What a job span says about the job. */
export interface TracedJob {
  queue: string;
  name: string;
  id?: string;
  /** Attempts made before this one (BullMQ's `attemptsMade`). */
  attemptsMade: number;
}

/**
 * Runs one background job inside a CONSUMER span (`process <job name>`) carrying the queue,
 * job name and id, the attempt number and the outcome; runs it bare when tracing is off.
 */
export async function traceJob<T>(job: TracedJob, run: () => Promise<T>): Promise<T> {
  const tracing = active;
  if (!tracing) return run();
  const attributes: Attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': job.queue,
    'oneapi.job.name': job.name,
    'oneapi.job.attempt': job.attemptsMade + 1,
  };
  if (job.id !== undefined) attributes['messaging.message.id'] = job.id;
  const span = tracing.tracer.startSpan(`process ${job.name}`, { kind: SpanKind.CONSUMER, attributes }, ROOT_CONTEXT);
  try {
    const result = await run();
    span.setAttribute('oneapi.job.outcome', 'completed');
    return result;
  } catch (error) {
    span.setAttribute('oneapi.job.outcome', 'failed');
    failSpan(span, (error as Error).name || 'Error', (error as Error).message);
    throw error;
  } finally {
    span.end();
  }
}
