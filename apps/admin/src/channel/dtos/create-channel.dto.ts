import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ChannelStatus } from '@oneapi/domain';

/** Upper bounds of the capacity fields (the columns are 32-bit integers). */
const MAX_CONCURRENCY = 1_000_000;
const MAX_RPM = 100_000_000;
const MAX_TPM = 2_000_000_000;

/** The optional channel fields shared by create and update (One API's model.Channel `json:` names). */
export class ChannelFieldsDto {
  @ApiPropertyOptional({ type: String, maxLength: 128, example: 'openai-main' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({
    type: Number,
    enum: [ChannelStatus.Enabled, ChannelStatus.ManuallyDisabled, ChannelStatus.AutoDisabled],
    example: ChannelStatus.Enabled,
    description: '1 enabled, 2 disabled, 3 auto-disabled (default 1).',
  })
  @IsOptional()
  @IsIn([ChannelStatus.Enabled, ChannelStatus.ManuallyDisabled, ChannelStatus.AutoDisabled], { message: 'status must be 1 (enabled), 2 (disabled) or 3 (auto-disabled)' })
  status?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, nullable: true, example: 0, description: 'Share among channels of the same priority.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  weight?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: -1_000_000_000, maximum: 1_000_000_000, nullable: true, example: 0, description: 'Higher priority channels are tried first.' })
  @IsOptional()
  @IsInt()
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  priority?: number | null;

  @ApiPropertyOptional({ type: String, maxLength: 512, nullable: true, example: 'https://api.openai.com', description: 'Upstream base URL; empty = the type’s default. Required for some types (e.g. Azure).' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  base_url?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 65_535, nullable: true, example: '', description: 'Type-specific extra value (One API’s `other` field).' })
  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  other?: string | null;

  /** Comma-separated model names. */
  @ApiPropertyOptional({ type: String, maxLength: 65_535, nullable: true, example: 'gpt-4o-mini,gpt-4o', description: 'Comma-separated model names the channel serves.' })
  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  models?: string | null;

  /** Comma-separated groups (default `default`). */
  @ApiPropertyOptional({ type: String, maxLength: 255, nullable: true, example: 'default,vip', description: 'Comma-separated groups that may use it (default `default`).' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  group?: string | null;

  /** JSON object `{"requested model": "upstream model"}`, or empty. */
  @ApiPropertyOptional({ type: String, maxLength: 1024, nullable: true, example: '{"gpt-4":"gpt-4o"}', description: 'JSON object `{"requested model": "upstream model"}` as a string, or empty.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  model_mapping?: string | null;

  /** JSON object (api_version, region, ...), as a string like One API's console sends, or an object. */
  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
    nullable: true,
    example: '{"api_version":"2024-10-21"}',
    description: 'Type-specific settings (api_version, region, ...): a JSON object, or its string form as One API’s console sends it.',
  })
  @Allow()
  config?: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 65_535, nullable: true, example: '', description: 'System prompt prepended to chat requests through this channel.' })
  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  system_prompt?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_CONCURRENCY,
    nullable: true,
    example: 0,
    description: 'Requests this channel serves at once, across all relays; 0 = unlimited (default). A full channel is skipped for another one of the model.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CONCURRENCY)
  max_concurrency?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_RPM, nullable: true, example: 0, description: 'Requests per minute sent to this channel; 0 = unlimited (default).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RPM)
  rpm?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_TPM,
    nullable: true,
    example: 0,
    description: 'Prompt + completion tokens per minute through this channel (a request counts prompt + max_tokens until it is billed); 0 = unlimited (default).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TPM)
  tpm?: number | null;
}

/** Body of `POST /api/channel/`. A `key` with several lines creates one channel per line. */
export class CreateChannelDto extends ChannelFieldsDto {
  /** One API's numeric channel type (libs/domain channel-types registry). */
  @ApiProperty({ type: 'integer', example: 1, description: 'One API’s channel type id (1 OpenAI, 3 Azure, 14 Anthropic, 24 Gemini, ...; see GET /api/channel/models for models).' })
  @IsInt()
  type!: number;

  /** Upstream credential(s): one per line. */
  @ApiProperty({ type: String, minLength: 1, maxLength: 1_000_000, example: 'sk-upstream-key-1\nsk-upstream-key-2', description: 'Upstream credential; several lines create one channel per line.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  key!: string;
}
