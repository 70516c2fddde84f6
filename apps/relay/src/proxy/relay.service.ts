import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CacheBus } from '@oneapi/cache';
import { ChannelStatus, LogType } from '@oneapi/domain';
import { AdapterNotImplementedError, ChannelConfigError, readUsage, type RelayMode, type Usage } from '@oneapi/providers';
import type { RelayAuthService, RelayCaller } from '../auth/relay-auth.service';
import { clientIp } from '../auth/client-ip';
import type { BlockList } from 'node:net';
import type { RelayPricing, Ratios } from '../billing/pricing';
import type { QuotaService } from '../billing/quota.service';
import type { UsageRecorder } from '../billing/usage-recorder';
import type { RateCharge, RelayRateLimiter } from '../rate-limit/relay-rate-limiter';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import { REQUEST_ID_HEADER, sendRelayError } from '../errors/relay-error.filter';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { ChannelRouter, RouteChannel } from '../routing/channel-router.service';
import type { UpstreamCall, UpstreamClient } from '../upstream/upstream-client';
import { parseRequest, upstreamBody, type ParsedRequest } from './request-body';
import { checkImage } from '../billing/domain-bridge';
import { relayConvertedStream, relayOpenAIStream, type StreamOutcome } from './sse-relay';
import { shouldDisableChannel, upstreamErrorOf } from './upstream-errors';

/** Called when the relay auto-disables a channel (the worker's e-mail to root hooks in here). */
export type ChannelDisabledHook = (event: { channelId: number; channelName: string; reason: string }) => void | Promise<void>;

export interface RelayServiceDeps {
  auth: RelayAuthService;
  router: ChannelRouter;
  quota: QuotaService;
  pricing: RelayPricing;
  recorder: UsageRecorder;
  upstream: UpstreamClient;
  metrics: RelayMetrics;
  /** Per-token/per-user rate limits; skipped while every limit is 0. */
  rateLimit?: RelayRateLimiter;
  logger: Logger;
  bus: CacheBus;
  trustedProxies: BlockList | null;
  onChannelDisabled: ChannelDisabledHook[];
}

type AttemptResult = { kind: 'done' } | { kind: 'aborted' } | { kind: 'failed'; error: Error; retryable: boolean };

interface RequestState {
  req: FastifyRequest;
  reply: FastifyReply;
  caller: RelayCaller;
  parsed: ParsedRequest;
  ratios: Ratios;
  promptTokens: number;
  reserved: number;
  /** Tokens-per-minute points charged before the call (corrected at settlement, given back on refund). */
  rateCharge: RateCharge | null;
  started: number;
  /** The upstream exchange in flight (aborted on client disconnect or total timeout). */
  call: UpstreamCall | null;
  /** Why the request was aborted (client gone, total timeout); no new attempt starts after it. */
  abortReason: Error | null;
  clientGone: boolean;
  firstByteAt: number;
}

/** Abort reason when the client goes away (no stack needed: it is never thrown to a caller). */
const CLIENT_GONE = Object.assign(new Error('client disconnected'), { code: 'RELAY_CLIENT_GONE' });

const STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
  'access-control-allow-origin': '*',
};

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

/** Generated text of OpenAI chat/completion chunks or replies, for local counting. */
function generatedText(objects: unknown[]): string {
  let text = '';
  for (const o of objects) {
    const choices = (o as { choices?: unknown })?.choices;
    if (!Array.isArray(choices)) continue;
    for (const ch of choices as Array<Record<string, unknown>>) {
      const part = (ch.delta ?? ch.message) as Record<string, unknown> | undefined;
      if (typeof ch.text === 'string') text += ch.text;
      if (!part) continue;
      if (typeof part.content === 'string') text += part.content;
      const calls = part.tool_calls;
      if (Array.isArray(calls)) {
        for (const c of calls as Array<{ function?: { name?: unknown; arguments?: unknown } }>) {
          if (typeof c.function?.name === 'string') text += c.function.name;
          if (typeof c.function?.arguments === 'string') text += c.function.arguments;
        }
      }
    }
  }
  return text;
}

function parsePayloads(payloads: string[]): unknown[] {
  const out: unknown[] = [];
  for (const p of payloads) {
    try {
      out.push(JSON.parse(p));
    } catch {
      /* not JSON: nothing to count */
    }
  }
  return out;
}

/**
 * The /v1 hot path: authenticate, validate, price, reserve, route, relay (JSON, binary or SSE),
 * retry on another channel, settle, log. Everything before the upstream call is in-memory on a
 * warm request except the two reservation UPDATEs.
 */
export class RelayService {
  /** Settlements still running after their response was sent (awaited by drain()). */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly d: RelayServiceDeps) {}

  /** Waits for every settlement in flight (shutdown, and tests that read exact rows). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async handle(req: FastifyRequest, reply: FastifyReply, mode: RelayMode, pathModel?: string): Promise<void> {
    const started = performance.now();
    const st: Partial<RequestState> = { req, reply, started, clientGone: false, firstByteAt: 0, call: null, abortReason: null };
    let stream = false;
    try {
      const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.d.trustedProxies);
      const caller = await this.d.auth.authenticate(req.headers.authorization, ip);
      const parsed = parseRequest(mode, req.body as Buffer | undefined, req.headers['content-type'] ?? '', pathModel);
      stream = parsed.stream;
      this.d.auth.checkModel(caller, parsed.model);
      if (mode === 'images') {
        // One API's image checks, before any quota or upstream work.
        const bad = checkImage(parsed.model, parsed.json);
        if (bad) throw new RelayException(RelayErrorCode.InvalidRequest, bad.message, bad.code === 'n_not_within_range' ? 'n' : bad.code === 'size_not_supported' ? 'size' : 'prompt', bad.code);
      }
      const ratios = this.d.pricing.ratios(parsed.model, caller.user.group);
      if (!ratios) throw new RelayException(RelayErrorCode.ModelNotFound, `model ${parsed.model} has no price configured`, 'model');
      const table = this.d.router.peek() ?? (await this.d.router.current());
      let channel: RouteChannel | null;
      if (caller.pinnedChannelId !== null) {
        channel = table.channels.get(caller.pinnedChannelId) ?? null;
        if (!channel) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${caller.pinnedChannelId} does not exist`);
        if (channel.status !== ChannelStatus.Enabled) {
          throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${caller.pinnedChannelId} is disabled`);
        }
      } else {
        channel = this.d.router.select(table, caller.user.group, parsed.model, new Set());
        if (!channel) {
          throw new RelayException(RelayErrorCode.NoAvailableChannel, `no available channel for model ${parsed.model} in group ${caller.user.group}`);
        }
      }
      const promptTokens = this.promptTokens(parsed);
      const reserved = this.reservation(parsed, promptTokens, ratios);
      // Rate limits before any quota or upstream work: a refused request changes nothing.
      const limiter = this.d.rateLimit;
      const rateCharge = limiter?.active ? await limiter.check(caller.token.id, caller.user.id, promptTokens + (parsed.maxTokens ?? 0)) : null;
      st.rateCharge = rateCharge;
      try {
        await this.d.quota.reserve(caller, reserved);
      } catch (error) {
        if (rateCharge) limiter?.refund(rateCharge);
        throw error;
      }
      st.caller = caller;
      st.parsed = parsed;
      st.ratios = ratios;
      st.promptTokens = promptTokens;
      st.reserved = reserved;
      await this.relay(st as RequestState, table, channel);
    } catch (error) {
      if (!(error instanceof RelayException) && !(error instanceof UpstreamHttpError)) {
        this.d.logger.error({ request_id: req.id, err: (error as Error).message, stack: (error as Error).stack }, 'relay failed');
      }
      sendRelayError(req, reply, error);
    } finally {
      const endpoint = mode;
      const s = st as RequestState;
      const status = reply.raw.headersSent ? reply.raw.statusCode : reply.statusCode;
      this.d.metrics.finished(endpoint, status, stream, (performance.now() - started) / 1000);
      if (s.firstByteAt) this.d.metrics.firstToken(endpoint, (s.firstByteAt - started) / 1000);
    }
  }

  private promptTokens(p: ParsedRequest): number {
    const j = p.json;
    switch (p.mode) {
      case 'chat':
        return this.d.pricing.messagesTokens(j.messages as unknown[], p.model);
      case 'completions':
        return this.d.pricing.inputTokens(j.prompt ?? '', p.model);
      case 'embeddings':
      case 'moderations':
        return this.d.pricing.inputTokens(j.input, p.model);
      case 'edits':
        return this.d.pricing.textTokens(`${String(j.instruction ?? '')}${typeof j.input === 'string' ? j.input : ''}`, p.model);
      default:
        return 0;
    }
  }

  private reservation(p: ParsedRequest, promptTokens: number, r: Ratios): number {
    if (p.mode === 'images') {
      const n = typeof p.json.n === 'number' ? p.json.n : 1;
      return this.d.pricing.image(p.model, p.json.size as string | undefined, p.json.quality as string | undefined, n, r);
    }
    if (p.mode === 'audio.speech') return this.d.pricing.speech(String(p.json.input), r);
    if (p.mode === 'audio.transcriptions' || p.mode === 'audio.translations') return this.d.pricing.audioReserve(r);
    return this.d.pricing.reserve(promptTokens, p.maxTokens, r);
  }

  private async relay(st: RequestState, table: NonNullable<ReturnType<ChannelRouter['peek']>>, first: RouteChannel): Promise<void> {
    const { reply, caller, parsed } = st;
    const abort = (reason: Error) => {
      if (st.abortReason) return;
      st.abortReason = reason;
      st.call?.abort(reason);
    };
    const onClose = () => {
      if (!reply.raw.writableFinished) {
        st.clientGone = true;
        abort(CLIENT_GONE);
      }
    };
    reply.raw.on('close', onClose);
    const totalMs = this.d.upstream.totalTimeoutMs;
    const timer = totalMs > 0 ? setTimeout(() => abort(new RelayException(RelayErrorCode.UpstreamTimeout, 'upstream timed out')), totalMs) : null;
    const tried = new Set<number>();
    const attempts = caller.pinnedChannelId !== null ? 1 : 1 + Math.max(0, this.d.pricing.options.retryTimes);
    let channel: RouteChannel | null = first;
    // Created only on failure: an Error captures a stack trace, too dear for every request.
    let lastError: Error | undefined;
    let settled = false;
    try {
      for (let attempt = 0; attempt < attempts && channel; attempt++) {
        if (attempt > 0) this.d.metrics.retries.inc({ endpoint: parsed.mode });
        tried.add(channel.id);
        const result = await this.attempt(st, channel);
        if (result.kind === 'done') {
          settled = true;
          return;
        }
        if (result.kind === 'aborted') {
          // Client left before any byte was relayed: nothing was produced, refund all.
          return;
        }
        lastError = result.error;
        if (!result.retryable) break;
        if (attempt + 1 < attempts) channel = this.d.router.select(table, caller.user.group, parsed.model, tried);
      }
      if (lastError instanceof UpstreamHttpError && lastError.status === 429) {
        throw new RelayException(RelayErrorCode.UpstreamSaturated, 'the upstream load of this group is saturated, try again later');
      }
      throw lastError ?? new RelayException(RelayErrorCode.NoAvailableChannel, `no available channel for model ${parsed.model} in group ${caller.user.group}`);
    } finally {
      if (timer) clearTimeout(timer);
      reply.raw.off('close', onClose);
      if (!settled && st.rateCharge) this.d.rateLimit?.refund(st.rateCharge);
      if (!settled) await this.d.quota.refund(caller, st.reserved).catch((e: Error) => this.d.logger.error({ err: e.message, request_id: st.req.id }, 'refund failed'));
    }
  }

  private failChannel(channel: RouteChannel, status: number): void {
    this.d.metrics.upstreamErrors.inc({ channel: String(channel.id), status: String(status) });
    this.d.router.coolDown(channel.id);
  }

  private async attempt(st: RequestState, channel: RouteChannel): Promise<AttemptResult> {
    const { req, reply, parsed } = st;
    const mode = parsed.mode;
    const adapter = channel.adapter;
    if (!adapter.endpoints.has(mode)) {
      return {
        kind: 'failed',
        retryable: true,
        error: new RelayException(RelayErrorCode.ApiNotImplemented, `${mode} is not supported by channel type ${adapter.name}`),
      };
    }
    const upstreamModel = channel.modelMapping.get(parsed.model) ?? parsed.model;
    const wantUsage = parsed.stream && (mode === 'chat' || mode === 'completions') && adapter.acceptsStreamOptions(channel.ctx);
    let url: string;
    let headers: Record<string, string>;
    let body: Buffer | string;
    const conv = { requestModel: parsed.model, upstreamModel };
    try {
      // Native adapters pick a different URL for streams (Gemini) or headers per model (Anthropic).
      const info = { stream: parsed.stream, model: upstreamModel };
      url = adapter.requestUrl(channel.ctx, mode, upstreamModel, info);
      headers = adapter.requestHeaders(
        channel.ctx,
        mode,
        {
          contentType: req.headers['content-type'],
          accept: req.headers.accept,
        },
        info,
      );
      body = adapter.convertRequest
        ? JSON.stringify(adapter.convertRequest(mode, { ...parsed.json, model: upstreamModel }, conv))
        : upstreamBody(parsed, req.body as Buffer, upstreamModel, wantUsage, channel.systemPrompt, parsed.stream && !adapter.acceptsStreamOptions(channel.ctx));
    } catch (error) {
      if (error instanceof AdapterNotImplementedError) {
        // The channel type cannot serve this request shape (e.g. Gemini embeddings of token ids):
        // another channel of another type may, so it is retryable; nothing was sent upstream.
        return { kind: 'failed', retryable: true, error: new RelayException(RelayErrorCode.ApiNotImplemented, error.message) };
      }
      if (error instanceof ChannelConfigError) {
        this.failChannel(channel, 0);
        return { kind: 'failed', retryable: true, error: new RelayException(RelayErrorCode.UpstreamError, `channel #${channel.id} is misconfigured`) };
      }
      throw error;
    }

    if (st.abortReason) return st.clientGone ? { kind: 'aborted' } : { kind: 'failed', retryable: false, error: st.abortReason };
    const res = this.d.upstream.send({ url, method: 'POST', headers, body });
    st.call = res;
    try {
      await res.started;
    } catch (error) {
      if (st.clientGone) return { kind: 'aborted' };
      this.failChannel(channel, 0);
      const code = (error as { code?: string }).code ?? '';
      const timedOut = error instanceof RelayException || /TIMEOUT/i.test(code);
      this.d.logger.warn({ request_id: req.id, channel_id: channel.id, err: code || (error as Error).message }, 'upstream request failed');
      return {
        kind: 'failed',
        retryable: !(error instanceof RelayException),
        error: timedOut
          ? new RelayException(RelayErrorCode.UpstreamTimeout, 'the upstream did not answer in time')
          : new RelayException(RelayErrorCode.UpstreamUnreachable, 'the upstream could not be reached'),
      };
    }

    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.collect().then(
        (b) => b.toString('utf8'),
        () => '',
      );
      const upstreamError = upstreamErrorOf(res.statusCode, text);
      this.failChannel(channel, res.statusCode);
      this.d.logger.warn({ request_id: req.id, channel_id: channel.id, status: res.statusCode, code: upstreamError.code }, 'upstream error');
      if (this.d.pricing.options.autoDisable && shouldDisableChannel(res.statusCode, upstreamError)) void this.autoDisable(channel, upstreamError.message);
      const retryable = res.statusCode === 429 || res.statusCode >= 500 || res.statusCode === 401 || res.statusCode === 403;
      return { kind: 'failed', retryable, error: new UpstreamHttpError(res.statusCode, upstreamError) };
    }

    const contentType = String(res.headers['content-type'] ?? '');
    if (parsed.stream && contentType.includes('text/event-stream')) {
      await this.relayStream(st, channel, res, wantUsage);
      return { kind: 'done' };
    }

    // JSON (or binary, for audio.speech) reply: read it whole, send the bytes as they are.
    let buf: Buffer;
    try {
      buf = await res.collect();
    } catch (error) {
      if (st.clientGone) return { kind: 'aborted' };
      this.failChannel(channel, 0);
      return { kind: 'failed', retryable: true, error: new RelayException(RelayErrorCode.UpstreamError, `the upstream reply broke off: ${(error as Error).message}`) };
    }
    let usage: Usage | undefined;
    let out: Buffer | string = buf;
    let replyJson: unknown;
    if (adapter.convertResponse) {
      try {
        const c = adapter.convertResponse(mode, JSON.parse(buf.toString('utf8')), conv);
        out = JSON.stringify(c.body);
        usage = c.usage;
        replyJson = c.body;
      } catch {
        return { kind: 'failed', retryable: true, error: new RelayException(RelayErrorCode.UpstreamError, 'the upstream reply could not be read') };
      }
    } else if (contentType.includes('json')) {
      usage = extractUsage(buf);
    }
    void reply
      .code(res.statusCode)
      .header(REQUEST_ID_HEADER, req.id)
      .header('content-type', adapter.convertResponse ? 'application/json' : contentType || 'application/json')
      .send(out);
    const elapsed = performance.now() - st.started;
    this.track(this.settleJson(st, channel, usage, buf, contentType, replyJson, elapsed));
    return { kind: 'done' };
  }

  private async relayStream(st: RequestState, channel: RouteChannel, body: UpstreamCall, wantUsage: boolean): Promise<void> {
    const { reply, req, parsed } = st;
    reply.hijack();
    reply.raw.writeHead(200, { ...STREAM_HEADERS, [REQUEST_ID_HEADER]: req.id });
    const onFirstByte = () => {
      st.firstByteAt = performance.now();
    };
    let outcome: StreamOutcome | undefined;
    let failure: string | undefined;
    const adapter = channel.adapter;
    const partial: StreamOutcome = { usage: undefined, payloads: [], bytes: 0, complete: false, firstByteAt: 0 };
    try {
      if (adapter.convertStreamEvent && adapter.createStreamState) {
        const state = adapter.createStreamState({ requestModel: parsed.model, upstreamModel: channel.modelMapping.get(parsed.model) ?? parsed.model });
        outcome = await relayConvertedStream(body, reply.raw, adapter, state, { includeUsage: parsed.includeUsage, onFirstByte, collect: partial });
      } else {
        // The client asked for usage but this upstream rejects stream_options: count it here.
        const usageChunk =
          parsed.includeUsage && !wantUsage
            ? (o: StreamOutcome) => {
                const completion = this.d.pricing.textTokens(generatedText(parsePayloads(o.payloads)), parsed.model);
                const usage = { prompt_tokens: st.promptTokens, completion_tokens: completion, total_tokens: st.promptTokens + completion };
                o.usage = usage; // settlement bills exactly this count, without counting again
                return JSON.stringify({ id: `chatcmpl-${req.id}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: parsed.model, choices: [], usage });
              }
            : undefined;
        outcome = await relayOpenAIStream(body, reply.raw, { dropUsageChunk: wantUsage && !parsed.includeUsage, onFirstByte, collect: partial, usageChunk });
      }
    } catch (error) {
      failure = st.clientGone ? 'client disconnected' : (error as Error).message;
      if (!st.clientGone) {
        this.failChannel(channel, 0);
        this.d.logger.warn({ request_id: req.id, channel_id: channel.id, err: failure }, 'upstream stream broke off');
      }
      body.abort();
    } finally {
      if (!reply.raw.writableEnded) reply.raw.end();
    }
    const result = outcome ?? partial;
    const elapsed = performance.now() - st.started;
    let completion = result.usage?.completion_tokens;
    let prompt = result.usage?.prompt_tokens || st.promptTokens;
    if (completion === undefined || !result.usage) {
      completion = this.d.pricing.textTokens(generatedText(parsePayloads(result.payloads)), parsed.model);
      prompt = st.promptTokens;
    }
    const settling = this.settle(st, channel, prompt, completion, elapsed, true, failure);
    this.track(settling);
    await settling;
  }

  private async settleJson(st: RequestState, channel: RouteChannel, usage: Usage | undefined, buf: Buffer, contentType: string, replyJson: unknown, elapsed: number) {
    const p = st.parsed;
    let prompt = st.promptTokens;
    let completion = 0;
    let cost: number | undefined;
    try {
      switch (p.mode) {
        case 'images':
          cost = st.reserved;
          break;
        case 'audio.speech':
          // Logged as prompt = characters (the unit text-to-speech is priced in).
          prompt = [...String(p.json.input)].length;
          cost = st.reserved;
          break;
        case 'audio.transcriptions':
        case 'audio.translations': {
          let text = buf.toString('utf8');
          if (contentType.includes('json')) {
            try {
              text = String((JSON.parse(text) as { text?: unknown }).text ?? '');
            } catch {
              /* count the raw text */
            }
          }
          prompt = this.d.pricing.textTokens(text, p.model);
          cost = this.d.pricing.transcription(prompt, st.ratios);
          break;
        }
        default:
          if (usage) {
            prompt = usage.prompt_tokens || prompt;
            completion = usage.completion_tokens;
          } else if (p.mode === 'chat' || p.mode === 'completions' || p.mode === 'edits') {
            let json = replyJson;
            if (json === undefined) {
              try {
                json = JSON.parse(buf.toString('utf8'));
              } catch {
                json = undefined;
              }
            }
            completion = this.d.pricing.textTokens(generatedText([json]), p.model);
          }
      }
      await this.settle(st, channel, prompt, completion, elapsed, false, undefined, cost);
    } catch (error) {
      this.d.logger.error({ request_id: st.req.id, err: (error as Error).message }, 'settlement failed');
    }
  }

  private async settle(st: RequestState, channel: RouteChannel, prompt: number, completion: number, elapsedMs: number, isStream: boolean, note?: string, fixedCost?: number) {
    const { caller, ratios, parsed } = st;
    try {
      const cost = fixedCost ?? this.d.pricing.settle(prompt, completion, ratios);
      if (st.rateCharge) this.d.rateLimit?.settle(st.rateCharge, prompt + completion);
      await this.d.quota.settle(caller, st.reserved, cost, channel.id);
      const content =
        `model ratio ${ratios.modelRatio.toFixed(2)}, completion ratio ${ratios.completionRatio.toFixed(2)}, group ratio ${ratios.groupRatio.toFixed(2)}` +
        (note ? ` (${note})` : '');
      this.d.recorder.log({
        userId: caller.user.id,
        createdAt: Math.floor(Date.now() / 1000),
        type: LogType.Consume,
        content,
        username: caller.user.username,
        tokenName: caller.token.name,
        modelName: parsed.model,
        quota: cost,
        promptTokens: prompt,
        completionTokens: completion,
        channelId: channel.id,
        requestId: st.req.id,
        elapsedTime: Math.round(elapsedMs),
        isStream,
      });
      this.d.logger.debug({ request_id: st.req.id, channel_id: channel.id, model: parsed.model, quota: cost, prompt, completion }, 'relayed');
    } catch (error) {
      this.d.logger.error({ request_id: st.req.id, err: (error as Error).message }, 'settlement failed');
    }
  }

  private async autoDisable(channel: RouteChannel, reason: string): Promise<void> {
    try {
      const changed = await this.d.router.disable(channel.id);
      if (!changed) return;
      this.d.logger.warn({ channel_id: channel.id, reason }, 'channel automatically disabled');
      await this.d.bus.publish({ topic: 'channels', id: String(channel.id) }).catch(() => undefined);
      for (const hook of this.d.onChannelDisabled) await hook({ channelId: channel.id, channelName: channel.name, reason });
    } catch (error) {
      this.d.logger.error({ channel_id: channel.id, err: (error as Error).message }, 'automatic channel disable failed');
    }
  }
}
