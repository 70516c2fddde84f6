import type { BlockList } from 'node:net';
import { LayeredCache, type CacheBus, type CacheCodec } from '@oneapi/cache';
import { RelayAuthRepository, type Database, type RelayTokenRow, type RelayUserRow } from '@oneapi/data';
import { Role, TokenStatus, UserStatus } from '@oneapi/domain';
import type { RedisClient } from '@oneapi/cache';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { ipInList, parseCidrList } from '@oneapi/platform';

/** A token as cached: the row plus its parsed allow-lists (parsed once per cache fill). */
export interface CachedToken extends RelayTokenRow {
  modelSet: ReadonlySet<string> | null;
  subnetList: BlockList | null;
}

/** Who is calling, established before any routing or upstream work. */
export interface RelayCaller {
  token: CachedToken;
  user: RelayUserRow;
  /** `sk-<key>-<channelId>`: an admin pinned the channel. */
  pinnedChannelId: number | null;
  clientIp: string;
}

/**
 * The API key of a request: `Authorization` (OpenAI's `Bearer sk-...`), else `x-api-key`
 * (Anthropic's SDKs and Claude Code send the same `sk-...` token there).
 */
export function apiKeyOf(headers: { authorization?: string; 'x-api-key'?: string | string[] }): string | undefined {
  if (headers.authorization) return headers.authorization;
  const key = headers['x-api-key'];
  return Array.isArray(key) ? key[0] : key;
}

/** Redis holds the plain row; each node rebuilds the parsed allow-lists when it reads it. */
const TOKEN_CODEC: CacheCodec<CachedToken> = {
  toPlain: ({ modelSet: _models, subnetList: _subnets, ...row }) => row,
  fromPlain: (plain) => decorate(plain as RelayTokenRow),
};

function decorate(row: RelayTokenRow): CachedToken {
  const models = row.models
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  return { ...row, modelSet: models.length ? new Set(models) : null, subnetList: parseCidrList(row.subnet) };
}

/**
 * Token authentication (SPEC section 6) with token-by-key and user-by-id caches: a warm request
 * reads nothing from the database. Admin changes arrive as `token`/`user` cache-bus events.
 */
export class RelayAuthService {
  readonly tokens: LayeredCache<CachedToken>;
  readonly users: LayeredCache<RelayUserRow>;
  private readonly unsubscribe: () => void;

  constructor(db: Database, bus: CacheBus, redis: RedisClient | null, ttlSeconds: number) {
    const repo = new RelayAuthRepository(db);
    this.tokens = new LayeredCache('relay-token', ttlSeconds, redis, async (key) => {
      const row = await repo.findTokenByKey(key);
      return row ? decorate(row) : null;
    }, TOKEN_CODEC);
    this.users = new LayeredCache('relay-user', ttlSeconds, redis, (id) => repo.findUserById(Number(id)));
    this.unsubscribe = bus.subscribe((e) => {
      if (e.topic === 'token') {
        if (e.id === undefined) this.tokens.clear();
        else {
          void this.tokens.invalidate(e.id);
          this.tokens.invalidateWhere((t) => String(t.id) === e.id);
        }
      } else if (e.topic === 'user') {
        if (e.id === undefined) this.users.clear();
        else void this.users.invalidate(e.id);
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * Validates `Authorization: Bearer sk-<key>[-<channelId>]` and the token/user state. Each
   * failure has its own status and message; `model` is checked against the allow-list when given.
   */
  async authenticate(authorization: string | undefined, clientIp: string): Promise<RelayCaller> {
    let raw = (authorization ?? '').trim();
    if (raw.toLowerCase().startsWith('bearer ')) raw = raw.slice(7).trim();
    if (raw.startsWith('sk-')) raw = raw.slice(3);
    if (raw === '') throw new RelayException(RelayErrorCode.MissingApiKey, 'no API key provided: send "Authorization: Bearer sk-..." (or "x-api-key: sk-...")');
    const dash = raw.indexOf('-');
    const key = dash === -1 ? raw : raw.slice(0, dash);
    const pin = dash === -1 ? null : raw.slice(dash + 1);

    const token = this.tokens.peek(key) ?? (await this.tokens.get(key));
    if (!token) throw new RelayException(RelayErrorCode.InvalidApiKey, 'invalid API key');
    if (token.status === TokenStatus.Exhausted) throw new RelayException(RelayErrorCode.TokenExhausted, 'the quota of this API key is used up');
    const now = Date.now() / 1000;
    if (token.status === TokenStatus.Expired || (token.expiredTime !== -1 && token.expiredTime < now)) {
      throw new RelayException(RelayErrorCode.TokenExpired, 'this API key has expired');
    }
    if (token.status !== TokenStatus.Enabled) throw new RelayException(RelayErrorCode.TokenDisabled, 'this API key is disabled');
    if (token.subnetList && !ipInList(token.subnetList, clientIp)) {
      throw new RelayException(RelayErrorCode.IpNotAllowed, `this API key may not be used from ${clientIp}`);
    }

    const uid = String(token.userId);
    const user = this.users.peek(uid) ?? (await this.users.get(uid));
    if (!user || user.status !== UserStatus.Enabled) throw new RelayException(RelayErrorCode.UserDisabled, 'the user of this API key is disabled');

    let pinnedChannelId: number | null = null;
    if (pin !== null && pin !== '') {
      if (user.role < Role.Admin) {
        throw new RelayException(RelayErrorCode.ChannelPinForbidden, 'only administrators may pin a channel with sk-<key>-<channel id>');
      }
      pinnedChannelId = Number(pin);
      if (!Number.isInteger(pinnedChannelId) || pinnedChannelId <= 0) {
        throw new RelayException(RelayErrorCode.ChannelPinInvalid, 'invalid channel id in the API key');
      }
    }
    return { token, user, pinnedChannelId, clientIp };
  }

  /** 403 when the token's allow-list does not include the model. */
  checkModel(caller: RelayCaller, model: string): void {
    if (caller.token.modelSet && !caller.token.modelSet.has(model)) {
      throw new RelayException(RelayErrorCode.ModelNotAllowed, `this API key may not use model ${model}`, 'model');
    }
  }
}
