import type { BlockList } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ChannelStatus } from '@oneapi/domain';
import { activeTracing, clientIp } from '@oneapi/platform';
import { apiKeyOf, type RelayAuthService, type RelayCaller } from '../auth/relay-auth.service';
import type { RelayPricing } from '../billing/pricing';
import type { Endpoint, Priced } from '../endpoints';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import { sendRelayError } from '../errors/relay-error.filter';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { ParsedRequest } from '../endpoints/request-body';
import { channelServes, type ChannelRouter, type RouteChannel, type RoutingTable } from '../routing/channel-router.service';
import type { CallerSlots } from '../capacity/channel-capacity';
import type { Admission } from './admission';
import type { Attempts, Seat } from './attempts';
import type { RelayRequest } from './relay-request';
import type { ResponseAffinity } from '../protocols/responses-affinity';
import { RelayTrace } from './relay-trace';

export interface PipelineDeps {
  auth: RelayAuthService;
  pricing: RelayPricing;
  router: ChannelRouter;
  admission: Admission;
  attempts: Attempts;
  metrics: RelayMetrics;
  logger: Logger;
  trustedProxies: BlockList | null;
  /** RELAY_TIMEOUT in ms, 0 = none. */
  totalTimeoutMs: number;
  /** RELAY_MAX_IN_FLIGHT: requests this process serves at once (0 = no cap). */
  maxInFlight: number;
  /** Where stored responses live (the channel a follow-up must reach). */
  homes: ResponseAffinity;
  /** ENFORCE_INCLUDE_USAGE: streamed chat and completions report usage as if the client asked. */
  enforceIncludeUsage?: boolean;
}

/**
 * The /v1 request path, top to bottom: authenticate → parse → price → route (claiming channel
 * capacity) → admit → attempt loop (which replies) → settle (inside the reply) or release. Each
 * step hands the next a plain value; every failure becomes one OpenAI-shaped error through the
 * relay's filter.
 */
export class RelayPipeline {
  /** Requests being served by this process right now. */
  inFlight = 0;
  /** Null when tracing is off: a request then creates no trace objects at all. */
  private readonly tracing = activeTracing();

  constructor(private readonly d: PipelineDeps) {}

  async handle(req: FastifyRequest, reply: FastifyReply, endpoint: Endpoint, pathModel?: string): Promise<void> {
    const started = performance.now();
    let rq: RelayRequest | null = null;
    let leases: CallerSlots | null = null;
    let seat: Seat | null = null;
    const trace = this.tracing && RelayTrace.start(this.tracing, req, endpoint);
    this.inFlight++;
    try {
      if (this.d.maxInFlight > 0 && this.inFlight > this.d.maxInFlight) {
        throw new RelayException(RelayErrorCode.ServerBusy, 'this relay is at its capacity; retry shortly', null, null, 1);
      }
      const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.d.trustedProxies);
      const caller = await this.d.auth.authenticate(apiKeyOf(req.headers), ip);
      const parsed = this.parse(endpoint, req, caller, pathModel);
      trace?.parsed(caller, parsed);
      const priced = this.price(endpoint, parsed, caller);
      const table = this.d.router.peek() ?? (await this.d.router.current());
      // A request about state held by one channel (a stored response) goes there, pinned, or fails.
      const home = endpoint.home ? await endpoint.home(parsed, caller, table, this.d.homes) : null;
      const routed = home ? { ...caller, pinnedChannelId: home.id } : caller;
      const first = home ?? this.route(table, caller, endpoint, parsed.model);
      // Channel capacity before admission: a request no channel has room for reserves nothing.
      // The caller's caps are taken with the first channel's capacity when it has limits (one round trip).
      const wants = this.d.admission.callerWants(caller);
      seat = first.capped
        ? await this.d.attempts.claim(req.id, table, routed, endpoint, parsed, priced, first, wants, (i) => this.d.admission.refuse(wants, i))
        : { channel: first, hold: null };
      const { rateCharge, leases: held } = await this.d.admission.admit(req.id, caller, parsed, priced, wants, seat.hold?.callers ?? null);
      leases = held;
      seat.callers = held;
      const deadline = this.d.totalTimeoutMs > 0 ? started + this.d.totalTimeoutMs : Infinity;
      const admitted: RelayRequest = { req, reply, endpoint, caller: routed, parsed, priced, rateCharge, started, deadline, firstByteAt: 0, trace };
      rq = admitted;
      const delivered = await this.d.attempts.run(admitted, table, seat).catch(async (error: unknown) => {
        await this.release(admitted);
        throw error;
      });
      // The client left before any reply: nothing was produced.
      if (!delivered) await this.release(admitted);
      else {
        endpoint.delivered?.(admitted, delivered, this.d.homes);
        trace?.delivered(delivered);
      }
    } catch (error) {
      trace?.failed(error);
      if (!(error instanceof RelayException) && !(error instanceof UpstreamHttpError)) {
        this.d.logger.error({ request_id: req.id, err: (error as Error).message, stack: (error as Error).stack }, 'relay failed');
      }
      sendRelayError(req, reply, error);
    } finally {
      this.inFlight--;
      // A no-op once the attempt loop ended the seat's hold; gives it back when admission refused.
      if (seat?.hold) this.d.attempts.vacate(seat);
      this.d.admission.end(leases);
      const status = reply.raw.headersSent ? reply.raw.statusCode : reply.statusCode;
      const stream = rq !== null && endpoint.reply(rq.parsed) !== 'json';
      this.d.metrics.finished(endpoint.mode, status, stream, (performance.now() - started) / 1000);
      if (rq?.firstByteAt) this.d.metrics.firstToken(endpoint.mode, (rq.firstByteAt - started) / 1000);
      trace?.end(status, started, rq?.firstByteAt ?? 0);
    }
  }

  private parse(endpoint: Endpoint, req: FastifyRequest, caller: RelayCaller, pathModel: string | undefined): ParsedRequest {
    let parsed = endpoint.parse(req.body as Buffer | undefined, req.headers['content-type'] ?? '', pathModel);
    if (this.d.enforceIncludeUsage && parsed.stream && !parsed.includeUsage && (parsed.mode === 'chat' || parsed.mode === 'completions')) parsed = { ...parsed, includeUsage: true };
    this.d.auth.checkModel(caller, parsed.model);
    endpoint.check?.(parsed);
    return parsed;
  }

  private price(endpoint: Endpoint, parsed: ParsedRequest, caller: RelayCaller): Priced {
    const ratios = this.d.pricing.ratios(parsed.model, caller.user.group);
    if (!ratios) throw new RelayException(RelayErrorCode.ModelNotFound, `model ${parsed.model} has no price configured`, 'model');
    const promptTokens = endpoint.promptTokens(parsed, this.d.pricing);
    return { ratios, promptTokens, reserved: endpoint.reserve(parsed, promptTokens, ratios, this.d.pricing) };
  }

  /**
   * The first channel: the admin's pinned one, else the router's pick among the channels that
   * serve the endpoint (404 unknown model, 400 no channel of the model offers the endpoint, 503
   * none available).
   */
  private route(table: RoutingTable, caller: RelayCaller, endpoint: Endpoint, model: string): RouteChannel {
    if (caller.pinnedChannelId === null) {
      const channel = this.d.router.select(table, caller.user.group, model, new Set(), null, endpoint);
      if (!channel) throw this.d.router.unavailable(table, caller.user.group, model, endpoint);
      return channel;
    }
    const channel = table.channels.get(caller.pinnedChannelId);
    if (!channel) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${caller.pinnedChannelId} does not exist`);
    if (channel.status !== ChannelStatus.Enabled) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${caller.pinnedChannelId} is disabled`);
    if (!channelServes(endpoint, channel)) {
      const why = channel.adapter.notImplementedReason ? `: ${channel.adapter.notImplementedReason}` : '';
      throw new RelayException(RelayErrorCode.EndpointNotSupported, `${endpoint.path} is not supported by channel #${channel.id} (type ${channel.adapter.name})${why}`);
    }
    return channel;
  }

  private release(rq: RelayRequest): Promise<void> {
    return this.d.admission.release(rq.req.id, rq.caller, rq.rateCharge).catch((e: Error) => this.d.logger.error({ err: e.message, request_id: rq.req.id }, 'refund failed'));
  }
}
