import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /api/token/` (One API's token fields). Absent fields take One API's defaults. */
export class CreateTokenDto {
  @ApiPropertyOptional({ type: String, maxLength: 30, example: 'ci-bot', description: 'Display name.' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  name?: string;

  /** Unix seconds, or -1 for never. */
  @ApiPropertyOptional({ type: 'integer', minimum: -1, example: -1, description: 'Expiry in unix seconds, or -1 for never (default -1).' })
  @IsOptional()
  @IsInt()
  @Min(-1)
  expired_time?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 500000, description: 'Quota the token may spend (500000 = 1 USD by default); ignored when `unlimited_quota`.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  remain_quota?: number;

  @ApiPropertyOptional({ type: Boolean, example: false, description: 'When true the token is limited only by its owner’s quota.' })
  @IsOptional()
  @IsBoolean()
  unlimited_quota?: boolean;

  /** Comma-separated model allow-list; empty = every model. */
  @ApiPropertyOptional({ type: String, maxLength: 4096, nullable: true, example: 'gpt-4o-mini,gpt-4o', description: 'Comma-separated model allow-list; empty = every model.' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  models?: string | null;

  /** Comma-separated CIDR list, e.g. `10.0.0.0/8,192.168.1.0/24`; empty = any address. */
  @ApiPropertyOptional({ type: String, maxLength: 255, nullable: true, example: '10.0.0.0/8,192.168.1.0/24', description: 'Comma-separated CIDRs the relay accepts the token from; empty = any address.' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  subnet?: string | null;
}
