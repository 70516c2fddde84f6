import type { Logger } from 'pino';
import type { CacheBus } from '@oneapi/cache';
import {
  AdapterNotImplementedError,
  ChannelConfigError,
  authorizeUpstreamRequest,
  classifyAuthorizationFailure,
  classifyTransportError,
  classifyUpstreamError,
  prepareUpstreamRequest,
  UnsupportedParameterError,
  UpstreamReplyError,
  inlineImageUrls,
  upstreamAuthHttp,
  type AuthHttp,
  type PrepareInput,
  type UpstreamErrorVerdict,
  type UpstreamCall,
  type UpstreamClient,
  type UserContentFetcher,
} from '@oneapi/providers';
import type { RelayCaller } from '../auth/relay-auth.service';
import type { RelayPricing } from '../billing/pricing';
import type { LeaseWant } from '../capacity/capacity-store';
import { CallersFull, type CallerSlots, type CapacityHold, type ChannelCapacity } from '../capacity/channel-capacity';
import type { Priced } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { ChannelRouter, RoutedEndpoint, RouteChannel, RoutingTable } from '../routing/channel-router.service';
import { legInput, planLeg } from '../protocols/client-protocol';
import type { Replies } from './replies';
import type { RelayRequest } from './relay-request';
import type { Delivered } from './settlement';

/** Called when the relay auto-disables a channel (the e-mail to root hooks in here). */
export type ChannelDisabledHook = (event: { channelId: number; channelName: string; reason: string }) => void | Promise<void>;

type Attempt = { kind: 'delivered'; delivered: Delivered } | { kind: 'client_gone' } | { kind: 'failed'; error: Error; retry: boolean };

/** Abort reason when the client goes away (no stack needed: it is never thrown to a caller). */
const CLIENT_GONE = Object.assign(new Error('client disconnected'), { code: 'RELAY_CLIENT_GONE' });

/**
 * The channel an attempt goes to and the capacity it holds there (null: the channel has no
 * limits). `full` carries the channels found at capacity on the way, skipped for the rest of the
 * request.
 */
export interface Seat {
  channel: RouteChannel;
  hold: CapacityHold | null;
  full?: Map<number, number>;
  /** The caller's concurrency slots, held across retries and given back when the request is over. */
  callers?: CallerSlots | null;
}

/** Upper bound on an upstream error body read to classify it. */
const ERROR_BODY_LIMIT = 1024 * 1024;

export interface AttemptsDeps {
  router: ChannelRouter;
  pricing: RelayPricing;
  upstream: UpstreamClient;
  replies: Replies;
  metrics: RelayMetrics;
  bus: CacheBus;
  logger: Logger;
  onChannelDisabled: ChannelDisabledHook[];
  capacity: ChannelCapacity;
  /** USER_CONTENT_REQUEST_PROXY's client, when set: image URLs for adapters that need them inline. */
  userContent?: UserContentFetcher | null;
}

/** What a request counts against a channel's TPM before it is sent: the admission estimate. */
function estimatedTokens(parsed: ParsedRequest, priced: Priced): number {
  return priced.promptTokens + (parsed.maxTokens ?? 0);
}

/**
 * The attempt loop: send the request through the chosen channel; on a retryable failure choose
 * another channel of the same group and model (never after the first byte reached the client,
 * never for the caller's own mistake), up to RetryTimes; a channel at capacity is passed over and
 * counts as no attempt. Resolves with what was delivered, null when the client left before any
 * reply, or throws the error the client should get.
 */
export class Attempts {
  /** Token exchanges of adapters with an auth step go through the same upstream client. */
  private readonly authHttp: AuthHttp;

  constructor(private readonly d: AttemptsDeps) {
    this.authHttp = upstreamAuthHttp(d.upstream);
  }

  async run(rq: RelayRequest, table: RoutingTable, seat: Seat): Promise<Delivered | null> {
    const { reply, caller, parsed } = rq;
    const exchange: { call: UpstreamCall | null; aborted: Error | null } = { call: null, aborted: null };
    const abort = (reason: Error) => {
      if (exchange.aborted) return;
      exchange.aborted = reason;
      exchange.call?.abort(reason);
    };
    const onClose = () => {
      if (!reply.raw.writableFinished) abort(CLIENT_GONE);
    };
    reply.raw.on('close', onClose);
    const left = rq.deadline - performance.now();
    const timer = Number.isFinite(left) ? setTimeout(() => abort(new RelayException(RelayErrorCode.UpstreamTimeout, 'the request ran out of time (RELAY_TIMEOUT)')), Math.max(0, left)) : null;
    const tried = new Set<number>();
    let full = seat.full ?? null;
    const attempts = caller.pinnedChannelId !== null ? 1 : 1 + Math.max(0, this.d.pricing.options.retryTimes);
    let current: Seat | null = seat;
    let last: Error | undefined;
    try {
      while (current) {
        if (tried.size > 0) this.d.metrics.retries.inc({ endpoint: parsed.mode });
        tried.add(current.channel.id);
        const result = await this.attemptOn(rq, current, seat.callers ?? null, tried.size >= attempts, exchange, () => timer && clearTimeout(timer));
        rq.trace?.upstreamEnded(exchange.call?.statusCode ?? 0, result.kind === 'failed' ? result.error : null);
        if (result.kind === 'delivered') return result.delivered;
        if (result.kind === 'client_gone') return null;
        last = result.error;
        if (!result.retry || tried.size >= attempts) break;
        // Channels at capacity are passed over here and count as no attempt.
        full ??= new Map();
        const next = this.d.router.select(table, caller.user.group, parsed.model, tried, full, rq.endpoint);
        const failedOn = current.channel.id;
        current = next && (await this.seat(rq.req.id, table, caller.user.group, rq.endpoint, parsed.model, estimatedTokens(parsed, rq.priced), next, tried, full, false));
        if (current) rq.trace?.retry(current.channel, failedOn, last);
      }
    } finally {
      if (timer) clearTimeout(timer);
      reply.raw.off('close', onClose);
    }
    if (last instanceof UpstreamHttpError && last.status === 429) {
      throw new RelayException(RelayErrorCode.UpstreamSaturated, 'the upstream load of this group is saturated, try again later', null, null, last.retryAfterSeconds ?? this.d.router.cooldownSeconds);
    }
    throw last ?? this.d.router.unavailable(table, caller.user.group, parsed.model, rq.endpoint);
  }

  /**
   * Claims capacity on the first channel, before admission, so a request that every channel
   * would refuse reserves nothing: a full channel is skipped for the next one the router offers
   * (same tier, then lower tiers); when none has room → 503 `channel_capacity_exceeded` with the
   * soonest Retry-After. A pinned channel has no alternative.
   */
  async claim(requestId: string, table: RoutingTable, caller: RelayCaller, endpoint: RoutedEndpoint, parsed: ParsedRequest, priced: Priced, first: RouteChannel, callers: readonly LeaseWant[], refuse: (index: number) => Error): Promise<Seat> {
    const full = new Map<number, number>();
    const seat = await this.seat(requestId, table, caller.user.group, endpoint, parsed.model, estimatedTokens(parsed, priced), first, new Set(), full, caller.pinnedChannelId !== null, callers, refuse);
    if (seat) return { ...seat, full };
    const retryAfter = Math.min(...full.values());
    throw new RelayException(RelayErrorCode.ChannelCapacityExceeded, `every channel for model ${parsed.model} is at its capacity; retry after ${retryAfter} s`, null, null, retryAfter);
  }

  /** Gives back a claim that was never attempted (admission refused the request), with the caller's slots. */
  vacate(seat: Seat): void {
    if (seat.hold) this.d.capacity.vacate(seat.hold, seat.callers ?? seat.hold.callers);
  }

  /**
   * Takes capacity on `channel`, or on the next channel with room; null when none has room. The
   * caller's slots `callers` are taken with it in the same round trip (first channel only); a
   * caller at its caps gets `refuse`'s error at once.
   */
  private async seat(requestId: string, table: RoutingTable, group: string, endpoint: RoutedEndpoint, model: string, tokens: number, first: RouteChannel, tried: ReadonlySet<number>, full: Map<number, number>, pinned: boolean, callers: readonly LeaseWant[] = [], refuse?: (index: number) => Error): Promise<Seat | null> {
    let channel: RouteChannel | null = first;
    while (channel) {
      if (!channel.capped) return { channel, hold: null };
      const hold = await this.d.capacity.take(requestId, channel, tokens, callers);
      if (hold instanceof CallersFull) throw refuse ? refuse(hold.index) : new RelayException(RelayErrorCode.ConcurrencyLimitExceeded, 'too many requests in flight', null, null, 1);
      if (typeof hold !== 'number') return { channel, hold };
      full.set(channel.id, hold);
      channel = pinned ? null : this.d.router.select(table, group, model, tried, full, endpoint);
    }
    return null;
  }

  /**
   * One attempt on a seat; the seat's capacity is given back when the attempt ends, however it
   * ends, and the caller's slots with it when the request is over (`last`: no retry may follow).
   * A stream's attempt ends at its last byte (or when the client leaves): its settlement is
   * written later, in its group. Not async: an attempt without limits or caps is the bare attempt.
   */
  private attemptOn(rq: RelayRequest, seat: Seat, callers: CallerSlots | null, last: boolean, exchange: { call: UpstreamCall | null; aborted: Error | null }, streaming: () => void): Promise<Attempt> {
    const hold = seat.hold;
    if (!hold && !callers) return this.attempt(rq, seat.channel, exchange, streaming);
    const over = (delivered: Delivered | null, requestOver: boolean) => {
      const mine = requestOver ? callers : null;
      if (hold) this.d.capacity.end(hold, delivered && hold.rates?.tpm ? this.billedTokens(rq, delivered) : 0, mine);
      else if (mine) this.d.capacity.endCallers(mine);
    };
    return this.attempt(rq, seat.channel, exchange, streaming).then(
      (result) => {
        over(result.kind === 'delivered' ? result.delivered : null, result.kind !== 'failed' || !result.retry || last);
        return result;
      },
      (error: unknown) => {
        over(null, true);
        throw error;
      },
    );
  }

  /** Prompt + completion tokens as settlement billed them (it runs before the attempt ends), for a channel's TPM. */
  private billedTokens(rq: RelayRequest, delivered: Delivered): number {
    return delivered.billedTokens ?? estimatedTokens(rq.parsed, rq.priced);
  }

  /** One exchange with one channel: prepare, send, classify a failure, or relay the reply. */
  private async attempt(rq: RelayRequest, channel: RouteChannel, exchange: { call: UpstreamCall | null; aborted: Error | null }, streaming: () => void): Promise<Attempt> {
    const adapter = channel.adapter;
    // Another client protocol (Messages): native on its own channels, else through the chat bridge.
    const leg = planLeg(rq.parsed.mode, rq.endpoint.protocol, adapter);
    if (!leg) {
      return { kind: 'failed', retry: true, error: new RelayException(RelayErrorCode.ApiNotImplemented, `${rq.endpoint.path} is not supported by channel type ${adapter.name}`) };
    }
    let input: PrepareInput;
    try {
      input = legInput(rq, channel, leg);
    } catch (error) {
      // The chat bridge cannot express a parameter on this channel (a 400 naming it); a native channel may.
      if (error instanceof RelayException && error.code === RelayErrorCode.InvalidRequest) return { kind: 'failed', retry: true, error };
      throw error;
    }
    if (adapter.inlinesImageUrls && leg.mode === 'chat' && this.d.userContent) {
      try {
        const inlined = await inlineImageUrls(input.json, this.d.userContent);
        if (inlined) input = { ...input, json: inlined, raw: undefined, text: undefined };
      } catch (error) {
        if (error instanceof UnsupportedParameterError) return { kind: 'failed', retry: false, error: new RelayException(RelayErrorCode.InvalidRequest, error.message, error.param) };
        throw error;
      }
      if (exchange.aborted) return this.aborted(exchange.aborted);
    }
    let prepared: ReturnType<typeof prepareUpstreamRequest>;
    try {
      prepared = prepareUpstreamRequest(adapter, channel.ctx, leg.mode, input);
    } catch (error) {
      // The channel type cannot serve this request shape (e.g. Gemini embeddings of token ids):
      // a channel of another type may. Nothing was sent upstream.
      if (error instanceof AdapterNotImplementedError) return { kind: 'failed', retry: true, error: new RelayException(RelayErrorCode.ApiNotImplemented, error.message) };
      // The channel's wire format cannot express a parameter: 400 naming it, unless a channel of another type can.
      if (error instanceof UnsupportedParameterError) return { kind: 'failed', retry: true, error: new RelayException(RelayErrorCode.InvalidRequest, error.message, error.param) };
      if (error instanceof ChannelConfigError) {
        this.failed(channel, 0, true);
        return { kind: 'failed', retry: true, error: new RelayException(RelayErrorCode.UpstreamError, `channel #${channel.id} is misconfigured`) };
      }
      throw error;
    }

    // Signing or a token exchange: only adapters that need it pay the await.
    if (adapter.authorize) {
      try {
        prepared = await authorizeUpstreamRequest(adapter, channel.ctx, prepared, this.authHttp);
      } catch (error) {
        if (exchange.aborted) return this.aborted(exchange.aborted);
        return this.verdict(rq, channel, 0, classifyAuthorizationFailure(adapter, error, [channel.ctx.key]));
      }
    }
    if (exchange.aborted) return this.aborted(exchange.aborted);
    // The attempt's trace context travels upstream (a copy: adapters' header objects stay untouched).
    const traced = rq.trace?.upstream(channel, prepared.url);
    if (traced) prepared = { ...prepared, headers: { ...prepared.headers, ...traced } };
    const call = this.d.upstream.send(prepared);
    exchange.call = call;
    try {
      await call.started;
    } catch (error) {
      if (exchange.aborted) return this.aborted(exchange.aborted);
      return this.verdict(rq, channel, 0, classifyTransportError(error as Error, { secrets: [channel.ctx.key] }));
    }

    if (call.statusCode < 200 || call.statusCode >= 300) {
      const text = await call.collect(ERROR_BODY_LIMIT).then(
        (b) => b.toString('utf8'),
        () => '',
      );
      if (exchange.aborted) return this.aborted(exchange.aborted);
      return this.verdict(rq, channel, call.statusCode, classifyUpstreamError(adapter, { status: call.statusCode, headers: call.headers, text, secrets: [channel.ctx.key] }));
    }

    try {
      rq.systemPromptReset = prepared.systemPromptReset;
      const delivered = await this.d.replies.send(rq, channel, call, prepared.wantUsage, streaming, leg);
      return { kind: 'delivered', delivered };
    } catch (error) {
      // Only a reply that failed before anything reached the client lands here.
      if (exchange.aborted) return this.aborted(exchange.aborted);
      if (error instanceof RelayException) {
        this.failed(channel, 0, true);
        return { kind: 'failed', retry: true, error };
      }
      if (error instanceof UpstreamReplyError) return this.verdict(rq, channel, error.status, classifyUpstreamError(adapter, { status: error.status, text: error.text, secrets: [channel.ctx.key] }));
      return this.verdict(rq, channel, 0, classifyTransportError(error as Error, { afterHead: true, secrets: [channel.ctx.key] }));
    }
  }

  /** Acts on a classified failure: metrics, cooldown, automatic disable; the client's error. */
  private verdict(rq: RelayRequest, channel: RouteChannel, status: number, v: UpstreamErrorVerdict): Attempt {
    this.failed(channel, status, v.coolChannel);
    this.d.logger.warn({ request_id: rq.req.id, channel_id: channel.id, status, kind: v.kind, err: v.upstream.message }, 'upstream attempt failed');
    if (v.disableChannel && this.d.pricing.options.autoDisable) void this.autoDisable(channel, v.upstream.message);
    return { kind: 'failed', retry: v.retry, error: new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds) };
  }

  private aborted(reason: Error): Attempt {
    return reason === CLIENT_GONE ? { kind: 'client_gone' } : { kind: 'failed', retry: false, error: reason };
  }

  private failed(channel: RouteChannel, status: number, cool: boolean): void {
    this.d.metrics.upstreamErrors.inc({ channel: String(channel.id), status: String(status) });
    if (cool) this.d.router.coolDown(channel.id);
  }

  private async autoDisable(channel: RouteChannel, reason: string): Promise<void> {
    try {
      if (!(await this.d.router.disable(channel.id))) return;
      this.d.logger.warn({ channel_id: channel.id, reason }, 'channel automatically disabled');
      await this.d.bus.publish({ topic: 'channels', id: String(channel.id) }).catch(() => undefined);
      for (const hook of this.d.onChannelDisabled) await hook({ channelId: channel.id, channelName: channel.name, reason });
    } catch (error) {
      this.d.logger.error({ channel_id: channel.id, err: (error as Error).message }, 'automatic channel disable failed');
    }
  }
}
