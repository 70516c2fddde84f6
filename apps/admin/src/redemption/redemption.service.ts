import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RedemptionStatus } from '@oneapi/domain';
import { RedemptionRepository, type RedemptionChangeResult, type RedemptionEntity } from '@oneapi/data';
import { ApiError } from '../common/api-error';
import type { Pagination } from '../common/pagination';
import type { CreateRedemptionDto } from './dtos/create-redemption.dto';
import type { UpdateRedemptionDto } from './dtos/update-redemption.dto';

/** 32 hex characters (One API uses a dash-less UUID). */
export function generateRedemptionKey(): string {
  return randomBytes(16).toString('hex');
}

/** Admin management of redemption codes (One API's controller/redemption.go). */
@Injectable()
export class RedemptionService {
  constructor(@Inject(RedemptionRepository) private readonly redemptions: RedemptionRepository) {}

  async create(creatorId: number, dto: CreateRedemptionDto): Promise<RedemptionEntity[]> {
    const keys = Array.from({ length: dto.count }, generateRedemptionKey);
    return this.redemptions.createBatch(creatorId, dto.name.trim(), dto.quota, keys, Math.floor(Date.now() / 1000));
  }

  list(page: Pagination) {
    return this.redemptions.list(page);
  }

  search(keyword: string, page: Pagination) {
    return this.redemptions.search(keyword, page);
  }

  async get(id: number): Promise<RedemptionEntity> {
    const r = await this.redemptions.findById(id);
    if (!r) throw ApiError.notFound('redemption code not found');
    return r;
  }

  async update(dto: UpdateRedemptionDto, statusOnly: boolean): Promise<RedemptionEntity> {
    let result: RedemptionChangeResult;
    if (statusOnly) {
      if (dto.status === undefined) throw ApiError.badRequest('status is required with status_only');
      result = await this.redemptions.setStatus(dto.id, dto.status as RedemptionStatus.Enabled | RedemptionStatus.Disabled);
    } else {
      const current = await this.get(dto.id);
      result = await this.redemptions.update(dto.id, dto.name?.trim() ?? current.name, dto.quota ?? current.quota);
      if (result.ok && dto.status !== undefined && dto.status !== current.status) {
        result = await this.redemptions.setStatus(dto.id, dto.status as RedemptionStatus.Enabled | RedemptionStatus.Disabled);
      }
    }
    if (!result.ok) {
      if (result.reason === 'not_found') throw ApiError.notFound('redemption code not found');
      throw ApiError.conflict('this redemption code has been used and can no longer be changed');
    }
    return result.redemption;
  }

  async delete(id: number): Promise<void> {
    if (!(await this.redemptions.delete(id))) throw ApiError.notFound('redemption code not found');
  }

  async exportBatch(name: string): Promise<RedemptionEntity[]> {
    const rows = await this.redemptions.findByName(name);
    if (!rows.length) throw ApiError.notFound(`no redemption codes named "${name.slice(0, 64)}"`);
    return rows;
  }
}
