import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { TokenStatus } from '@oneapi/domain';
import { CreateTokenDto } from './create-token.dto';

/**
 * Body of `PUT /api/token/`. With `?status_only=1` only `status` is read (1 enabled, 2
 * disabled); otherwise the given fields replace the token's and absent ones are kept.
 */
export class UpdateTokenDto extends CreateTokenDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 7, description: 'The token to change (one of the caller’s).' })
  @IsInt()
  @Min(1)
  id!: number;

  @ApiPropertyOptional({ type: Number, enum: [TokenStatus.Enabled, TokenStatus.Disabled], example: TokenStatus.Disabled, description: '1 enabled, 2 disabled; the only field read with `?status_only=1`.' })
  @IsOptional()
  @IsIn([TokenStatus.Enabled, TokenStatus.Disabled], { message: 'status must be 1 (enabled) or 2 (disabled)' })
  status?: number;
}
