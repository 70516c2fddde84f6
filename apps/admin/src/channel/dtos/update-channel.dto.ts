import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ChannelFieldsDto } from './create-channel.dto';

/** Body of `PUT /api/channel/`: `id` plus the fields to change; an empty or absent `key`, or the masked key GET returned, keeps the stored key. */
export class UpdateChannelDto extends ChannelFieldsDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: 'The channel to change.' })
  @IsInt()
  @Min(1)
  id!: number;

  @ApiPropertyOptional({ type: 'integer', example: 1, description: 'New channel type id.' })
  @IsOptional()
  @IsInt()
  type?: number;

  @ApiPropertyOptional({ type: String, maxLength: 1_000_000, nullable: true, example: '', description: 'New upstream key; empty, absent or the masked key from GET keeps the stored one.' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  key?: string | null;
}
