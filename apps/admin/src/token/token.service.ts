import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TOKEN_KEY_LENGTH, TokenStatus } from '@oneapi/domain';
import { TokenRepository, isUniqueViolation, type TokenEntity, type TokenFields, type TokenOrder } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { afterCommit } from '../common/after-commit';
import { ApiError } from '../common/api-error';
import type { Pagination } from '../common/pagination';
import type { CreateTokenDto } from './dtos/create-token.dto';
import type { UpdateTokenDto } from './dtos/update-token.dto';
import { commaList, isCidr } from './subnet';

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 48 uniformly random alphanumerics (One API's random.GenerateKey). */
export function generateTokenKey(): string {
  let key = '';
  for (let i = 0; i < TOKEN_KEY_LENGTH; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

const now = () => Math.floor(Date.now() / 1000);

/** The user's own API tokens (One API's controller/token.go). Every change tells the relay's caches. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  list(userId: number, page: Pagination, order: TokenOrder) {
    return this.tokens.listByUser(userId, page, order);
  }

  search(userId: number, keyword: string, page: Pagination) {
    return this.tokens.searchByUser(userId, keyword, page);
  }

  async get(userId: number, id: number): Promise<TokenEntity> {
    const token = await this.tokens.findForUser(id, userId);
    if (!token) throw ApiError.notFound('token not found');
    return token;
  }

  async create(userId: number, dto: CreateTokenDto): Promise<TokenEntity> {
    const fields = this.fields(dto, undefined);
    if (fields.expiredTime !== -1 && fields.expiredTime <= now()) throw ApiError.badRequest('expired_time is in the past; use -1 for a token that never expires');
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.tokens.create(userId, generateTokenKey(), fields, now());
        await this.publish(token.key);
        return token;
      } catch (error) {
        // 62^48 keys: a collision is practically impossible, but a retry costs nothing.
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
  }

  async update(userId: number, dto: UpdateTokenDto, statusOnly: boolean): Promise<TokenEntity> {
    const current = await this.get(userId, dto.id);
    if (statusOnly) {
      if (dto.status === undefined) throw ApiError.badRequest('status is required with status_only');
      if (dto.status === TokenStatus.Enabled) {
        const result = await this.tokens.enable(dto.id, userId, now());
        if (!result.ok) {
          if (result.reason === 'not_found') throw ApiError.notFound('token not found');
          if (result.reason === 'expired') throw ApiError.badRequest('the token has expired and cannot be enabled; change its expiry time first');
          throw ApiError.badRequest('the token has no quota left and cannot be enabled; raise its remaining quota or make it unlimited first');
        }
        await this.publish(result.token.key);
        return result.token;
      }
      const updated = await this.tokens.setStatus(dto.id, userId, dto.status);
      if (!updated) throw ApiError.notFound('token not found');
      await this.publish(updated.key);
      return updated;
    }
    const fields = this.fields(dto, current);
    if (fields.expiredTime !== current.expiredTime && fields.expiredTime !== -1 && fields.expiredTime <= now()) {
      throw ApiError.badRequest('expired_time is in the past; use -1 for a token that never expires');
    }
    const updated = await this.tokens.update(dto.id, userId, fields, now());
    if (!updated) throw ApiError.notFound('token not found');
    await this.publish(updated.key);
    return updated;
  }

  async delete(userId: number, id: number): Promise<void> {
    const deleted = await this.tokens.delete(id, userId);
    if (!deleted) throw ApiError.notFound('token not found');
    await this.publish(deleted.key);
  }

  /** The DTO's fields over the current token's (or One API's defaults), validated. */
  private fields(dto: CreateTokenDto, current: TokenEntity | undefined): TokenFields {
    const subnets = commaList(dto.subnet ?? current?.subnet);
    const bad = subnets.find((s) => !isCidr(s));
    if (bad !== undefined) throw ApiError.badRequest(`subnet: "${bad.slice(0, 64)}" is not a CIDR range such as 192.168.1.0/24`);
    return {
      name: (dto.name ?? current?.name ?? '').trim(),
      expiredTime: dto.expired_time ?? current?.expiredTime ?? -1,
      remainQuota: dto.remain_quota ?? current?.remainQuota ?? 0,
      unlimitedQuota: dto.unlimited_quota ?? current?.unlimitedQuota ?? false,
      models: [...new Set(commaList(dto.models ?? current?.models))].join(','),
      subnet: subnets.join(','),
    };
  }

  /** After the change committed: a failure is logged, never answered (the relay's cache also expires). */
  private publish(key: string): Promise<void> {
    return afterCommit(this.runtime.logger, 'publish token', () => this.runtime.bus.publish({ topic: 'token', id: key }));
  }
}
