import type { ServerResponse } from 'node:http';
import { assembleStreamedReply, DecodedSource, readUsage, sanitizeUpstreamText, UpstreamReplyError, type UpstreamCall, type Usage } from '@oneapi/providers';
import type { RelayPricing } from '../billing/pricing';
import type { RelayMetrics } from '../metrics/relay-metrics';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { CORS_EXPOSE, OPENAI_REQUEST_ID_HEADER, REQUEST_ID_HEADER } from '../errors/relay-error.filter';
import type { Produced, ReplyKind } from '../endpoints';
import type { RouteChannel } from '../routing/channel-router.service';
import { IGNORED_PARAMS_HEADER, ignoredParams, protocolContext, type Leg } from '../protocols/client-protocol';
import { runStream, StreamFormats, type StreamFormat, type StreamResult, type StreamShutdown } from '../stream';
import type { RelayRequest } from './relay-request';
import type { Delivered, Settlement } from './settlement';

/** The usage object of a JSON body without parsing all of it (it sits at the end of OpenAI replies). */
export function extractUsage(buf: Buffer): Usage | undefined {
  const at = buf.lastIndexOf('"usage"');
  if (at === -1) return undefined;
  const open = buf.indexOf('{', at);
  const colon = buf.indexOf(':', at);
  if (open === -1 || colon === -1 || open < colon) return undefined;
  // Nothing but whitespace may sit between the colon and the brace.
  for (let i = colon + 1; i < open; i++) if (buf[i] !== 0x20 && buf[i] !== 0x0a && buf[i] !== 0x0d && buf[i] !== 0x09) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = open; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        return readUsage({ usage: JSON.parse(buf.toString('utf8', open, i + 1)) });
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface RepliesOptions {
  /** RELAY_IDLE_TIMEOUT in ms (0 = off): longest silence of a stream. */
  idleMs: number;
  /** RELAY_MAX_SSE_LINE_BYTES: longest upstream SSE event held in memory. */
  maxLineBytes: number;
  /** Upper bound on a whole (non-streamed) upstream reply: the request body cap. */
  maxBodyBytes: number;
  /** Fired at the shutdown deadline: open streams end with an error event. */
  shutdown: StreamShutdown;
}

/** Response head of a relayed SSE stream, as the flat name/value list `writeHead` takes fastest. */
const SSE_HEAD = ['content-type', 'text/event-stream', 'cache-control', 'no-cache', 'connection', 'keep-alive', 'x-accel-buffering', 'no', 'access-control-allow-origin', '*'];

/**
 * Relays a successful upstream reply: JSON (read whole, converted when the adapter speaks another
 * wire format, usage read from its end), SSE or binary (through the stream engine, as it
 * arrives). A JSON reply is settled in the background; a stream is settled when it ends.
 */
export class Replies {
  constructor(
    private readonly pricing: RelayPricing,
    private readonly settlement: Settlement,
    private readonly metrics: RelayMetrics,
    private readonly opts: RepliesOptions,
  ) {}

  async send(rq: RelayRequest, channel: RouteChannel, call: UpstreamCall, wantUsage: boolean, streaming: () => void, leg: Leg): Promise<Delivered> {
    const kind = rq.endpoint.reply(rq.parsed);
    const contentType = call.headers['content-type'] ?? '';
    // An upstream may answer a stream request with one JSON body: relay it as such.
    if (kind === 'binary' || (kind !== 'json' && (contentType.includes('text/event-stream') || this.decodes(channel.adapter, contentType)))) {
      streaming();
      return this.stream(rq, channel, call, kind, wantUsage, contentType, leg);
    }
    return this.json(rq, channel, call, contentType, leg);
  }

  private async json(rq: RelayRequest, channel: RouteChannel, call: UpstreamCall, contentType: string, leg: Leg): Promise<Delivered> {
    const { reply, parsed } = rq;
    const buf = await call.collect(this.opts.maxBodyBytes);
    const adapter = channel.adapter;
    const produced: Produced = { body: buf, contentType };
    let out: Buffer | string = buf;
    if (leg.protocol) {
      // Another client protocol: its own reply read for usage, or the chat reply converted to it.
      let json: unknown;
      try {
        json = JSON.parse(buf.toString('utf8'));
        if (leg.bridged) {
          const chat = adapter.convertResponse ? adapter.convertResponse('chat', json, { requestModel: parsed.model, upstreamModel: channel.modelMapping.get(parsed.model) ?? parsed.model }) : null;
          const body = (chat ? chat.body : json) as Record<string, unknown>;
          produced.usage = chat ? chat.usage : readUsage(body);
          produced.json = body;
          out = JSON.stringify(leg.protocol.fromChat(body, protocolContext(rq, channel)));
          const ignored = ignoredParams(rq, channel, leg);
          if (ignored) void reply.header(IGNORED_PARAMS_HEADER, ignored);
        } else {
          produced.usage = leg.protocol.replyUsage(json);
          produced.json = json;
        }
      } catch (error) {
        // An error the provider answered with 2xx is classified by its meaning (attempts).
        if (error instanceof UpstreamReplyError) throw error;
        throw new RelayException(RelayErrorCode.UpstreamError, 'the upstream reply could not be read');
      }
      void reply.code(call.statusCode).header('content-type', 'application/json').send(out);
      const delivered: Delivered = { channel, produced, stream: false, endedAt: performance.now() };
      void this.settlement.settle(rq, delivered);
      return delivered;
    }
    if (adapter.convertResponse) {
      let converted;
      try {
        const conv = { requestModel: parsed.model, upstreamModel: channel.modelMapping.get(parsed.model) ?? parsed.model, request: parsed.json };
        // An upstream that only streams (Coze v3) answers a JSON client with SSE: assembled here.
        converted =
          adapter.upstreamStreams && contentType.includes('text/event-stream')
            ? assembleStreamedReply(adapter, buf.toString('utf8'), conv)
            : adapter.convertResponse(parsed.mode, JSON.parse(buf.toString('utf8')), conv);
      } catch (error) {
        if (error instanceof UpstreamReplyError) throw error;
        throw new RelayException(RelayErrorCode.UpstreamError, 'the upstream reply could not be read');
      }
      out = JSON.stringify(converted.body);
      produced.json = converted.body;
      produced.usage = converted.usage;
    } else if (contentType.includes('json')) {
      produced.usage = extractUsage(buf);
    }
    void reply
      // A converted reply is OpenAI's, whatever 2xx the provider used (Replicate creates with 201).
      .code(adapter.convertResponse ? 200 : call.statusCode)
      .header('content-type', adapter.convertResponse ? 'application/json' : contentType || 'application/json')
      .send(out);
    const delivered: Delivered = { channel, produced, stream: false, endedAt: performance.now() };
    void this.settlement.settle(rq, delivered);
    return delivered;
  }

  private async stream(rq: RelayRequest, channel: RouteChannel, call: UpstreamCall, kind: Exclude<ReplyKind, 'json'>, wantUsage: boolean, contentType: string, leg: Leg): Promise<Delivered> {
    const { reply, req, parsed } = rq;
    reply.hijack();
    const head = kind === 'binary' ? ['content-type', contentType || 'application/octet-stream', 'access-control-allow-origin', '*'] : SSE_HEAD.slice();
    head.push('access-control-expose-headers', CORS_EXPOSE, REQUEST_ID_HEADER, req.id, OPENAI_REQUEST_ID_HEADER, req.id);
    if (leg.protocol?.requestIdHeader) head.push(leg.protocol.requestIdHeader, req.id);
    const ignored = ignoredParams(rq, channel, leg);
    if (ignored) head.push(IGNORED_PARAMS_HEADER, ignored);
    reply.raw.writeHead(200, head);
    const result = await runStream({
      source: kind !== 'binary' && channel.adapter.createStreamDecoder && this.decodes(channel.adapter, contentType) ? new DecodedSource(call, channel.adapter.createStreamDecoder()) : call,
      res: reply.raw as ServerResponse,
      format: this.format(rq, channel, kind, wantUsage, leg),
      idleMs: this.opts.idleMs,
      deadline: rq.deadline,
      maxLineBytes: this.opts.maxLineBytes,
      shutdown: this.opts.shutdown,
      requestId: req.id,
      sanitize: (message) => sanitizeUpstreamText(message, [channel.ctx.key]),
      onFirstByte: () => {
        rq.firstByteAt = performance.now();
      },
    });
    this.metrics.streamEnded(parsed.mode, result.reason, channel.id, result.droppedEvents);
    const delivered: Delivered = {
      channel,
      produced: { usage: result.usage, text: result.text, pendingText: result.pendingText },
      stream: true,
      endReason: result.reason === 'complete' ? undefined : result.reason,
      endedAt: performance.now(),
    };
    // Not awaited, as for JSON: the request (and its slots) is over for the client; the settlement waits for its group.
    void this.settlement.settle(rq, delivered);
    return delivered;
  }

  /** A streamed reply in the adapter's own framing (AWS event stream), re-framed as SSE. */
  private decodes(adapter: RouteChannel['adapter'], contentType: string): boolean {
    return adapter.streamContentType !== undefined && adapter.createStreamDecoder !== undefined && contentType.includes(adapter.streamContentType);
  }

  private format(rq: RelayRequest, channel: RouteChannel, kind: Exclude<ReplyKind, 'json'>, wantUsage: boolean, leg: Leg): StreamFormat {
    const { parsed } = rq;
    if (kind === 'binary') return { kind: 'binary' };
    if (kind === 'raw-sse') return { kind: 'raw-sse' };
    const adapter = channel.adapter;
    if (leg.protocol) {
      const ctx = protocolContext(rq, channel);
      if (!leg.bridged) return StreamFormats.protocol(leg.protocol.nativeStream(ctx));
      const convert =
        adapter.convertStreamEvent && adapter.createStreamState
          ? { adapter, state: adapter.createStreamState({ requestModel: parsed.model, upstreamModel: ctx.upstreamModel }) }
          : undefined;
      return StreamFormats.bridged(leg.protocol.chatStream(ctx), convert);
    }
    if (adapter.convertStreamEvent && adapter.createStreamState) {
      const state = adapter.createStreamState({ requestModel: parsed.model, upstreamModel: channel.modelMapping.get(parsed.model) ?? parsed.model });
      return { kind: 'converted-sse', adapter, state, includeUsage: parsed.includeUsage };
    }
    // The client asked for usage but this upstream rejects stream_options: count it here, and
    // settlement bills exactly this count.
    const usageChunk =
      parsed.includeUsage && !wantUsage
        ? (r: StreamResult) => {
            const completion = this.pricing.textTokens(r.text, parsed.model);
            const usage = { prompt_tokens: rq.priced.promptTokens, completion_tokens: completion, total_tokens: rq.priced.promptTokens + completion };
            r.usage = usage;
            return { id: `chatcmpl-${rq.req.id}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: parsed.model, choices: [], usage };
          }
        : undefined;
    return { kind: 'openai-sse', dropUsageOnlyChunk: wantUsage && !parsed.includeUsage, usageChunk };
  }
}
