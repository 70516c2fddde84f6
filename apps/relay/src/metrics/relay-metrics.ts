import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Where each registry's in-flight gauge reads from: the last relay pipeline built on it. */
const inFlightSources = new WeakMap<Registry, () => number>();

/** The relay's Prometheus series, registered on the runtime's registry (served at /metrics). */
export class RelayMetrics {
  /** Label children bound once per label set: `inc/observe` with a label object hashes it every call. */
  private readonly children = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<'endpoint' | 'stream'> }>();
  private readonly ttftChildren = new Map<string, Histogram.Internal<'endpoint'>>();
  private readonly endChildren = new Map<string, Counter.Internal>();

  readonly requests: Counter<'endpoint' | 'status' | 'stream'>;
  readonly latency: Histogram<'endpoint' | 'stream'>;
  readonly ttft: Histogram<'endpoint'>;
  readonly upstreamErrors: Counter<'channel' | 'status'>;
  readonly retries: Counter<'endpoint'>;
  readonly streamEnds: Counter<'endpoint' | 'reason'>;
  readonly droppedEvents: Counter<'channel'>;

  constructor(private readonly registry: Registry) {
    // One set per registry (a second app on the same runtime reuses the series).
    const existing = registry.getSingleMetric('oneapi_relay_requests_total');
    if (existing) {
      this.requests = existing as Counter<'endpoint' | 'status' | 'stream'>;
      this.latency = registry.getSingleMetric('oneapi_relay_request_duration_seconds') as Histogram<'endpoint' | 'stream'>;
      this.ttft = registry.getSingleMetric('oneapi_relay_time_to_first_token_seconds') as Histogram<'endpoint'>;
      this.upstreamErrors = registry.getSingleMetric('oneapi_relay_upstream_errors_total') as Counter<'channel' | 'status'>;
      this.retries = registry.getSingleMetric('oneapi_relay_retries_total') as Counter<'endpoint'>;
      this.streamEnds = registry.getSingleMetric('oneapi_relay_stream_ends_total') as Counter<'endpoint' | 'reason'>;
      this.droppedEvents = registry.getSingleMetric('oneapi_relay_stream_events_dropped_total') as Counter<'channel'>;
      return;
    }
    // Read when scraped, so the hot path does no metrics work for it.
    new Gauge({
      name: 'oneapi_relay_in_flight',
      help: 'Requests this relay process is serving right now',
      registers: [registry],
      collect() {
        this.set(inFlightSources.get(registry)?.() ?? 0);
      },
    });
    this.requests = new Counter({
      name: 'oneapi_relay_requests_total',
      help: 'Relay requests by endpoint, final HTTP status and stream flag',
      labelNames: ['endpoint', 'status', 'stream'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'oneapi_relay_request_duration_seconds',
      help: 'Time from request arrival to the end of the response',
      labelNames: ['endpoint', 'stream'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
    this.ttft = new Histogram({
      name: 'oneapi_relay_time_to_first_token_seconds',
      help: 'Time from request arrival to the first streamed byte sent to the client',
      labelNames: ['endpoint'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.upstreamErrors = new Counter({
      name: 'oneapi_relay_upstream_errors_total',
      help: 'Failed upstream attempts by channel id and status (0 = connection error or timeout)',
      labelNames: ['channel', 'status'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'oneapi_relay_retries_total',
      help: 'Upstream attempts retried on another channel',
      labelNames: ['endpoint'],
      registers: [registry],
    });
    this.streamEnds = new Counter({
      name: 'oneapi_relay_stream_ends_total',
      help: 'Relayed streams by endpoint and how they ended (complete, client_gone, idle_timeout, total_timeout, upstream_reset, line_too_long, shutdown)',
      labelNames: ['endpoint', 'reason'],
      registers: [registry],
    });
    this.droppedEvents = new Counter({
      name: 'oneapi_relay_stream_events_dropped_total',
      help: 'Malformed upstream SSE events dropped (never forwarded) by channel id',
      labelNames: ['channel'],
      registers: [registry],
    });
  }

  /** Makes `oneapi_relay_in_flight` report `read()` (the pipeline's in-flight count) at each scrape. */
  trackInFlight(read: () => number): void {
    inFlightSources.set(this.registry, read);
  }

  /** Counts one finished request and observes its duration (seconds). */
  finished(endpoint: string, status: number, stream: boolean, seconds: number): void {
    const key = `${endpoint} ${status} ${stream ? 1 : 0}`;
    let c = this.children.get(key);
    if (!c) {
      const s = stream ? '1' : '0';
      c = { requests: this.requests.labels({ endpoint, status: String(status), stream: s }), latency: this.latency.labels({ endpoint, stream: s }) };
      // Label sets are few (endpoints × statuses); the cap only guards against surprises.
      if (this.children.size < 1000) this.children.set(key, c);
    }
    c.requests.inc();
    c.latency.observe(seconds);
  }

  /** Counts one relayed stream by how it ended, and the malformed upstream events it dropped. */
  streamEnded(endpoint: string, reason: string, channelId: number, dropped: number): void {
    const key = `${endpoint} ${reason}`;
    let c = this.endChildren.get(key);
    if (!c) {
      c = this.streamEnds.labels({ endpoint, reason });
      if (this.endChildren.size < 1000) this.endChildren.set(key, c);
    }
    c.inc();
    if (dropped > 0) this.droppedEvents.inc({ channel: String(channelId) }, dropped);
  }

  /** Observes one time to first streamed byte (seconds). */
  firstToken(endpoint: string, seconds: number): void {
    let h = this.ttftChildren.get(endpoint);
    if (!h) {
      h = this.ttft.labels({ endpoint });
      if (this.ttftChildren.size < 100) this.ttftChildren.set(endpoint, h);
    }
    h.observe(seconds);
  }
}
