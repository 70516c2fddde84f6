import { Allow, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ChannelStatus } from '@oneapi/domain';

/** The optional channel fields shared by create and update (One API's model.Channel `json:` names). */
export class ChannelFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  name?: string;

  @IsOptional()
  @IsIn([ChannelStatus.Enabled, ChannelStatus.ManuallyDisabled, ChannelStatus.AutoDisabled], { message: 'status must be 1 (enabled), 2 (disabled) or 3 (auto-disabled)' })
  status?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  weight?: number | null;

  @IsOptional()
  @IsInt()
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  priority?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  base_url?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  other?: string | null;

  /** Comma-separated model names. */
  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  models?: string | null;

  /** Comma-separated groups (default `default`). */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  group?: string | null;

  /** JSON object `{"requested model": "upstream model"}`, or empty. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  model_mapping?: string | null;

  /** JSON object (api_version, region, ...), as a string like One API's console sends, or an object. */
  @Allow()
  config?: unknown;

  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  system_prompt?: string | null;
}

/** Body of `POST /api/channel/`. A `key` with several lines creates one channel per line. */
export class CreateChannelDto extends ChannelFieldsDto {
  /** One API's numeric channel type (libs/domain channel-types registry). */
  @IsInt()
  type!: number;

  /** Upstream credential(s): one per line. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  key!: string;
}
