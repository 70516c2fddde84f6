import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import type { FastifyRequest } from 'fastify';
import { ChannelType } from '@oneapi/domain';
import type { RelayMode } from '@oneapi/providers';
import { extractParent, failSpan, injectHeaders, type Tracing } from '@oneapi/platform';
import type { RelayCaller } from '../auth/relay-auth.service';
import type { Endpoint } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import { RelayException, UpstreamHttpError } from '../errors/relay.exception';
import type { RouteChannel } from '../routing/channel-router.service';
import type { Delivered } from './settlement';

// GenAI semantic conventions (still incubating upstream, so copied here rather than imported
// from the unstable entry point, as OpenTelemetry advises).
const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
const GEN_AI_SYSTEM = 'gen_ai.system';
const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

/** `gen_ai.operation.name` of each relay mode; modes the conventions do not name keep ours. */
const OPERATIONS: Partial<Record<RelayMode, string>> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  messages: 'chat',
  responses: 'chat',
};

/** `gen_ai.provider.name` values the conventions define, by One API channel type. */
const PROVIDERS: Record<number, string> = {
  [ChannelType.OpenAI]: 'openai',
  [ChannelType.Azure]: 'azure.ai.openai',
  [ChannelType.Anthropic]: 'anthropic',
  [ChannelType.Gemini]: 'gcp.gemini',
  [ChannelType.GeminiOpenAICompatible]: 'gcp.gemini',
  [ChannelType.Mistral]: 'mistral_ai',
  [ChannelType.Groq]: 'groq',
  [ChannelType.DeepSeek]: 'deepseek',
  [ChannelType.XAI]: 'x_ai',
  35: 'cohere',
};

/** The provider name of a channel: the conventions' value, else the channel type's name as a slug. */
export function providerName(channel: RouteChannel): string {
  return PROVIDERS[channel.type] ?? (channel.adapter.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'unknown');
}

/** A short, low-cardinality kind of failure for `error.type`. */
function errorType(error: unknown): string {
  if (error instanceof RelayException) return error.code;
  if (error instanceof UpstreamHttpError) return error.error.code ?? error.error.type ?? String(error.status);
  return (error as Error)?.name || 'Error';
}

/**
 * The trace of one /v1 request: a SERVER span (child of the client's `traceparent` when it sent
 * one) named `<operation> <model>` with the GenAI attributes, a CLIENT span per upstream attempt
 * whose context travels upstream in `traceparent`, retries and the first streamed token as
 * events. Created only when tracing is on; the pipeline holds it as a nullable value.
 */
export class RelayTrace {
  private readonly span: Span;
  private readonly parent: Context;
  private operation: string;
  private upstreamSpan: Span | null = null;
  private requestModel = '';
  private error: string | undefined;

  private constructor(
    private readonly tracing: Tracing,
    req: FastifyRequest,
    endpoint: Endpoint,
  ) {
    this.operation = OPERATIONS[endpoint.mode] ?? endpoint.mode;
    const attributes: Attributes = {
      [GEN_AI_OPERATION_NAME]: this.operation,
      [ATTR_HTTP_REQUEST_METHOD]: req.method,
      [ATTR_HTTP_ROUTE]: endpoint.path,
      'oneapi.request.id': req.id,
    };
    this.span = tracing.tracer.startSpan(this.operation, { kind: SpanKind.SERVER, attributes }, extractParent(tracing, req.headers));
    this.parent = trace.setSpan(ROOT_CONTEXT, this.span);
  }

  static start(tracing: Tracing, req: FastifyRequest, endpoint: Endpoint): RelayTrace {
    return new RelayTrace(tracing, req, endpoint);
  }

  /** The caller and the model, once the request is authenticated and parsed. */
  parsed(caller: RelayCaller, parsed: ParsedRequest): void {
    this.requestModel = parsed.model;
    this.span.updateName(`${this.operation} ${parsed.model}`);
    this.span.setAttributes({
      [GEN_AI_REQUEST_MODEL]: parsed.model,
      'oneapi.user.id': caller.user.id,
      'oneapi.token.id': caller.token.id,
    });
  }

  /**
   * Starts the CLIENT span of one upstream attempt and returns the headers that carry it
   * (`traceparent`), so the provider, or a gateway in front of it, joins the trace.
   */
  upstream(channel: RouteChannel, url: string): Record<string, string> {
    this.upstreamEnded(0, null);
    const model = channel.modelMapping.get(this.requestModel) ?? this.requestModel;
    const provider = providerName(channel);
    const attributes: Attributes = {
      [GEN_AI_OPERATION_NAME]: this.operation,
      [GEN_AI_PROVIDER_NAME]: provider,
      [GEN_AI_REQUEST_MODEL]: model,
      'oneapi.channel.id': channel.id,
    };
    try {
      const u = new URL(url);
      attributes[ATTR_SERVER_ADDRESS] = u.hostname;
      attributes[ATTR_SERVER_PORT] = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    } catch {
      // An unparsable URL fails the attempt itself; the span just lacks the address.
    }
    this.span.setAttributes({ [GEN_AI_PROVIDER_NAME]: provider, [GEN_AI_SYSTEM]: provider, 'oneapi.channel.id': channel.id });
    this.upstreamSpan = this.tracing.tracer.startSpan(`${this.operation} ${model}`, { kind: SpanKind.CLIENT, attributes }, this.parent);
    return injectHeaders(this.tracing, this.upstreamSpan);
  }

  /** Ends the current attempt's CLIENT span with the upstream status (0: none) and the failure, if any. */
  upstreamEnded(status: number, error: Error | null): void {
    const span = this.upstreamSpan;
    if (!span) return;
    this.upstreamSpan = null;
    if (status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (error) failSpan(span, errorType(error), error.message);
    span.end();
  }

  /** Another attempt, on `channel`, after `reason` failed the previous one. */
  retry(channel: RouteChannel, previous: number | null, reason: Error | undefined): void {
    const attributes: Attributes = { 'oneapi.channel.id': channel.id, 'error.type': reason ? errorType(reason) : 'unknown' };
    if (previous !== null) attributes['oneapi.previous_channel.id'] = previous;
    if (reason) attributes['oneapi.retry.reason'] = reason.message;
    this.span.addEvent('retry', attributes);
  }

  /** What reached the client: the channel that served it, the served model, tokens and quota as billed. */
  delivered(d: Delivered): void {
    const channel = d.channel;
    const attributes: Attributes = {
      [GEN_AI_RESPONSE_MODEL]: channel.modelMapping.get(this.requestModel) ?? this.requestModel,
      'oneapi.channel.id': channel.id,
      'oneapi.stream': d.stream,
    };
    if (d.bill) {
      attributes[GEN_AI_USAGE_INPUT_TOKENS] = d.bill.prompt;
      attributes[GEN_AI_USAGE_OUTPUT_TOKENS] = d.bill.completion;
      attributes['oneapi.quota'] = d.bill.quota;
    }
    if (d.endReason) attributes['oneapi.stream.end_reason'] = d.endReason;
    this.span.setAttributes(attributes);
  }

  /** The error the client got; the span is marked failed only for a 5xx (a 4xx is the caller's). */
  failed(error: unknown): void {
    this.span.setAttribute('error.type', errorType(error));
    this.error = (error as Error)?.message;
  }

  /** Ends the request's span: the status sent, and the first streamed byte as an event at its time. */
  end(status: number, started: number, firstByteAt: number): void {
    this.upstreamEnded(0, null);
    if (firstByteAt > 0) {
      this.span.addEvent('gen_ai.first_token', { 'gen_ai.server.time_to_first_token': (firstByteAt - started) / 1000 }, performance.timeOrigin + firstByteAt);
    }
    this.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR, message: this.error });
    this.span.end();
  }
}
