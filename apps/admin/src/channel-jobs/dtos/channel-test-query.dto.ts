import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `?model=` of `GET /api/channel/test/:id`. */
export class ChannelTestQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  model?: string;
}
