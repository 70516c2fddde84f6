import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RelayCaller } from '../auth/relay-auth.service';
import type { Endpoint, Priced } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import type { RateCharge } from '../rate-limit/relay-rate-limiter';
import type { RelayTrace } from './relay-trace';

/** One admitted request as the attempt loop, the reply and settlement see it (a plain value). */
export interface RelayRequest {
  req: FastifyRequest;
  reply: FastifyReply;
  endpoint: Endpoint;
  caller: RelayCaller;
  parsed: ParsedRequest;
  priced: Priced;
  /** Tokens-per-minute points charged at admission (corrected at settlement, given back on release). */
  rateCharge: RateCharge | null;
  /** performance.now() at arrival. */
  started: number;
  /** performance.now() after which the request has run out of time (RELAY_TIMEOUT); Infinity when unset. */
  deadline: number;
  /** performance.now() of the first streamed byte, 0 until then. */
  firstByteAt: number;
  /** The attempt being delivered put the channel's system prompt in (the log's `system_prompt_reset`). */
  systemPromptReset?: boolean;
  /** The request's trace; absent when tracing is off. */
  trace?: RelayTrace | null;
}
