import { createHash } from 'node:crypto';
import { TtlCache, type RedisClient } from '@oneapi/cache';
import { ChannelStatus } from '@oneapi/domain';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

/** Where a stored response lives: the channel (and its key) that created it, and whose it is. */
export interface ResponseHome {
  channelId: number;
  /** A short hash of the channel key the response was created with (the state lives in that key's project). */
  keyHash: string;
  /** The user who created it: nobody else reaches it through the relay. */
  userId: number;
}

/** How long the relay remembers where a response lives: OpenAI keeps stored responses 30 days. */
export const RESPONSE_HOME_TTL_SECONDS = 30 * 24 * 3600;

const PREFIX = 'oneapi:response-home:';

/** A key's fingerprint for {@link ResponseHome.keyHash} (never the key itself). */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

function isHome(v: unknown): v is ResponseHome {
  const h = v as ResponseHome;
  return typeof h === 'object' && h !== null && typeof h.channelId === 'number' && typeof h.keyHash === 'string' && typeof h.userId === 'number';
}

/**
 * Response id → the channel that holds its state, so a follow-up (`previous_response_id`) and
 * GET/DELETE/cancel/input_items by id reach that channel and no other. Kept in Redis when the
 * relay has one (every relay node finds it) and in a bounded in-process cache always (the only
 * store without Redis, and a fallback while Redis is away).
 */
export class ResponseAffinity {
  private readonly memory: TtlCache<ResponseHome>;

  constructor(
    private readonly redis: RedisClient | null,
    private readonly ttlSeconds = RESPONSE_HOME_TTL_SECONDS,
    maxEntries = 100_000,
  ) {
    this.memory = new TtlCache<ResponseHome>(ttlSeconds * 1000, maxEntries);
  }

  /** Records where `responseId` lives. Best effort: a Redis failure leaves the local entry. */
  async remember(responseId: string, home: ResponseHome): Promise<void> {
    this.memory.set(responseId, home);
    if (this.redis) await this.redis.set(PREFIX + responseId, JSON.stringify(home), 'EX', this.ttlSeconds).catch(() => undefined);
  }

  /** Where `responseId` lives, or null when no relay node recorded it (or it expired). */
  async lookup(responseId: string): Promise<ResponseHome | null> {
    const local = this.memory.get(responseId);
    if (local) return local;
    if (!this.redis) return null;
    try {
      const raw = await this.redis.get(PREFIX + responseId);
      if (!raw) return null;
      const home: unknown = JSON.parse(raw);
      if (!isHome(home)) return null;
      this.memory.set(responseId, home);
      return home;
    } catch {
      return null;
    }
  }

  /** Forgets a deleted response. */
  async forget(responseId: string): Promise<void> {
    this.memory.delete(responseId);
    if (this.redis) await this.redis.del(PREFIX + responseId).catch(() => undefined);
  }
}

/** The channel fields a home is checked against. */
export interface HomeChannel {
  id: number;
  status: number;
  ctx: { key: string };
}

/**
 * The channel holding `responseId` for this caller, or a 404/400 in OpenAI's shape that says why
 * not: never another channel, which would not have the response's state. Another user's response
 * is as unknown as one never recorded.
 */
export async function homeOf<C extends HomeChannel>(
  affinity: ResponseAffinity,
  channels: ReadonlyMap<number, C>,
  userId: number,
  responseId: string,
  param: string | null,
  /** Route normally when the relay never recorded the id (a native upstream answers for it; the chat bridge refuses it). */
  unknownRoutes = false,
): Promise<C | null> {
  const code = param === 'previous_response_id' ? 'previous_response_not_found' : 'response_not_found';
  const home = await affinity.lookup(responseId);
  if (!home && unknownRoutes) return null;
  if (!home || home.userId !== userId) {
    throw new RelayException(RelayErrorCode.NotFound, `Response with id '${responseId}' not found (the relay knows no response by that id for this account).`, param, code);
  }
  const channel = channels.get(home.channelId);
  if (!channel || keyHash(channel.ctx.key) !== home.keyHash) {
    throw new RelayException(RelayErrorCode.NotFound, `Response with id '${responseId}' is no longer reachable: the channel that created it was removed or its key changed.`, param, code);
  }
  if (channel.status !== ChannelStatus.Enabled) {
    throw new RelayException(RelayErrorCode.InvalidRequest, `Response with id '${responseId}' lives on channel #${channel.id}, which is disabled; no other channel has its state.`, param, 'response_channel_disabled');
  }
  return channel;
}
