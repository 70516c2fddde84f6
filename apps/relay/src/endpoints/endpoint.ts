import type { RelayMode, Usage } from '@oneapi/providers';
import type { RelayPricing, Ratios } from '../billing/pricing';
import type { RelayCaller } from '../auth/relay-auth.service';
import type { RelayRequest } from '../pipeline/relay-request';
import type { Delivered } from '../pipeline/settlement';
import type { ClientProtocol } from '../protocols/client-protocol';
import type { ResponseAffinity } from '../protocols/responses-affinity';
import type { RouteChannel, RoutingTable } from '../routing/channel-router.service';
import type { ParsedRequest } from './request-body';

/**
 * How an endpoint's successful reply travels to the client: `json` read whole; `sse` OpenAI
 * chat/completion chunks (usage read, `[DONE]` ensured); `raw-sse` other events passed through
 * checked (text-to-speech `stream_format: "sse"`); `binary` bytes as they arrive.
 */
export type ReplyKind = 'json' | 'sse' | 'raw-sse' | 'binary';

/** What an upstream reply produced, as settlement needs it (one shape for JSON and streams). */
export interface Produced {
  /** The usage the upstream reported (or the relay counted and sent), if any. */
  usage?: Usage;
  /** Generated text delivered to the client (streams), counted when `usage` is missing. */
  text?: string;
  /** `usage` is the provider's count before its final one (a stream cut short); this text was delivered meanwhile. */
  pendingText?: string;
  /** A whole reply body (JSON and text replies). */
  body?: Buffer;
  /** `body` already parsed (converted replies), so it is not parsed twice. */
  json?: unknown;
  contentType?: string;
}

/** What a request is priced with before it is sent (a plain value handed from step to step). */
export interface Priced {
  ratios: Ratios;
  promptTokens: number;
  /** Quota reserved against token and user before the upstream call. */
  reserved: number;
}

/** What settlement bills: the log row's token counts and the quota charged. */
export interface Bill {
  prompt: number;
  completion: number;
  quota: number;
}

/**
 * One `/v1` endpoint's rules, in one file each (endpoints/*.ts): how its body is read, whether
 * its reply streams, what it costs before (reservation) and after (bill). Nothing else in the
 * relay switches on the endpoint.
 */
export interface Endpoint {
  readonly mode: RelayMode;
  /** OpenAI's path (the route the relay serves). */
  readonly path: string;
  /**
   * The client protocol when it is not OpenAI's (Anthropic Messages): native on channels whose
   * adapter declares `protocol.mode`, through the chat bridge on the others, errors in its shape.
   */
  readonly protocol?: ClientProtocol;
  /** Validates the body (400/415 in OpenAI's shape) and reads the facts the relay needs. */
  parse(body: Buffer | undefined, contentType: string, pathModel?: string): ParsedRequest;
  /** How a successful reply is relayed. */
  reply(p: ParsedRequest): ReplyKind;
  /** Checks that depend on the model, before any quota or upstream work (One API's image checks). */
  check?(p: ParsedRequest): void;
  promptTokens(p: ParsedRequest, pricing: RelayPricing): number;
  reserve(p: ParsedRequest, promptTokens: number, ratios: Ratios, pricing: RelayPricing): number;
  bill(produced: Produced, p: ParsedRequest, priced: Priced, pricing: RelayPricing): Bill;
  /**
   * The one channel this request must go to because state it refers to lives there (a Responses
   * follow-up's `previous_response_id`), or null to route normally. Throws the client's error when
   * that channel cannot serve it: the request is never sent where the state is not.
   */
  home?(p: ParsedRequest, caller: RelayCaller, table: RoutingTable, homes: ResponseAffinity): Promise<RouteChannel | null>;
  /** After a reply reached the client: records where state it created lives (a stored response). */
  delivered?(rq: RelayRequest, d: Delivered, homes: ResponseAffinity): void;
}
