import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { UpdateOptionDto } from './update-option.dto';

/** PUT /api/option/batch `{options: [{key, value}, ...]}`: saved all-or-nothing. */
export class UpdateOptionsDto {
  @ApiProperty({
    type: [UpdateOptionDto],
    minItems: 1,
    maxItems: 200,
    example: [
      { key: 'SystemName', value: 'My Gateway' },
      { key: 'QuotaForNewUser', value: 500000 },
    ],
    description: 'The options to save together; one refused value saves none of them.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => UpdateOptionDto)
  options!: UpdateOptionDto[];
}
