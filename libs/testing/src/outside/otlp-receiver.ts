import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

/** One span as a collector received it, flattened for assertions. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, OtlpValue>;
  events: { name: string; timeUnixNano: string; attributes: Record<string, OtlpValue> }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  /** Attributes of the resource that sent it (`service.name`...). */
  resource: Record<string, OtlpValue>;
  scope: string;
}

/** OTLP/HTTP JSON `AnyValue`, as the OpenTelemetry JS exporter writes it. */
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        events?: { name: string; timeUnixNano: string | number; attributes?: KeyValue[] }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}

function value(v: AnyValue | undefined): OtlpValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  return null;
}

function attributes(kvs: KeyValue[] | undefined): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const kv of kvs ?? []) out[kv.key] = value(kv.value);
  return out;
}

/** OTLP/JSON ids are hex; a protobuf-JSON exporter would send base64 (16 or 8 bytes). */
function hexId(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

/** Flattens one OTLP/HTTP JSON export request into spans. */
export function decodeOtlpTraces(request: ExportRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: hexId(s.parentSpanId),
          name: s.name,
          kind: s.kind ?? 0,
          attributes: attributes(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(e.timeUnixNano), attributes: attributes(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message },
          resource,
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: the value of OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every span received so far, in arrival order. */
  spans: ReceivedSpan[];
  /** Headers of each export request (OTEL_EXPORTER_OTLP_HEADERS arrive here). */
  requests: { contentType: string; headers: IncomingHttpHeaders }[];
  /** Polls until a span matching `predicate` arrived, or throws after `timeoutMs` (default 5 s). */
  waitForSpan(predicate: (s: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

/**
 * A local OpenTelemetry collector for tests: a real HTTP server on 127.0.0.1 that accepts OTLP
 * over HTTP with JSON bodies (what `@opentelemetry/exporter-trace-otlp-http` sends) on
 * `POST /v1/traces`, gzip or not, and keeps the spans. Protobuf bodies are refused with 415.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url ?? '').split('?', 1)[0] !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ contentType, headers: req.headers });
      if (!contentType.includes('json')) {
        res.writeHead(415, { 'content-type': 'application/json' }).end('{"error":"only OTLP/JSON is accepted here"}');
        return;
      }
      try {
        let body: Buffer = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        spans.push(...decodeOtlpTraces(JSON.parse(body.toString('utf8')) as ExportRequest));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad OTLP/JSON"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitForSpan(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = spans.find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching span within ${timeoutMs} ms; received: ${spans.map((s) => s.name).join(', ') || 'none'}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
