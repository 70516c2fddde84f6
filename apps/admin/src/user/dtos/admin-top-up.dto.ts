import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** POST /api/topup (One API's AdminTopUp): credit a user's quota with a top-up log. */
export class AdminTopUpDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2, description: 'The user to credit.' })
  @IsInt()
  @Min(1)
  user_id!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, example: 500000, description: 'Quota to add (500000 = 1 USD by default).' })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota!: number;

  @ApiPropertyOptional({ type: String, maxLength: 255, example: 'invoice 2025-001', description: 'Written into the top-up log.' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  remark?: string;
}
