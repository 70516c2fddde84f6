import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RedemptionStatus } from '@oneapi/domain';

/** Body of `PUT /api/redemption/`; with `?status_only=1` only `status` (1 enabled, 2 disabled) is read. */
export class UpdateRedemptionDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: 'The code to change (a used code cannot be changed).' })
  @IsInt()
  @Min(1)
  id!: number;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 64, example: 'spring-promo' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, example: 500000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota?: number;

  @ApiPropertyOptional({ type: Number, enum: [RedemptionStatus.Enabled, RedemptionStatus.Disabled], example: RedemptionStatus.Disabled, description: '1 enabled, 2 disabled; the only field read with `?status_only=1`.' })
  @IsOptional()
  @IsIn([RedemptionStatus.Enabled, RedemptionStatus.Disabled], { message: 'status must be 1 (enabled) or 2 (disabled)' })
  status?: number;
}
