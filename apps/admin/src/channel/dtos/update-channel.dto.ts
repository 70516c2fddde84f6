import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ChannelFieldsDto } from './create-channel.dto';

/** Body of `PUT /api/channel/`: `id` plus the fields to change; an empty or absent `key` keeps the stored key. */
export class UpdateChannelDto extends ChannelFieldsDto {
  @IsInt()
  @Min(1)
  id!: number;

  @IsOptional()
  @IsInt()
  type?: number;

  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  key?: string | null;
}
