import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /api/token/` (One API's token fields). Absent fields take One API's defaults. */
export class CreateTokenDto {
  @IsOptional()
  @IsString()
  @MaxLength(30)
  name?: string;

  /** Unix seconds, or -1 for never. */
  @IsOptional()
  @IsInt()
  @Min(-1)
  expired_time?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  remain_quota?: number;

  @IsOptional()
  @IsBoolean()
  unlimited_quota?: boolean;

  /** Comma-separated model allow-list; empty = every model. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  models?: string | null;

  /** Comma-separated CIDR list, e.g. `10.0.0.0/8,192.168.1.0/24`; empty = any address. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  subnet?: string | null;
}
