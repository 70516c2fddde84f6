import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RedemptionStatus } from '@oneapi/domain';

/** Body of `PUT /api/redemption/`; with `?status_only=1` only `status` (1 enabled, 2 disabled) is read. */
export class UpdateRedemptionDto {
  @IsInt()
  @Min(1)
  id!: number;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota?: number;

  @IsOptional()
  @IsIn([RedemptionStatus.Enabled, RedemptionStatus.Disabled], { message: 'status must be 1 (enabled) or 2 (disabled)' })
  status?: number;
}
