import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `?model=` of `POST /api/channel/test/:id`. */
export class ChannelTestQueryDto {
  @ApiPropertyOptional({ type: String, maxLength: 128, example: 'gpt-4o-mini', description: 'Model to test with; defaults to the channel’s first model (or its type’s default model).' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  model?: string;
}
