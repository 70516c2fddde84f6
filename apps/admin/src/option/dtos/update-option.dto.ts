import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Length } from 'class-validator';

/** PUT /api/option/ `{key, value}`; value may be a string, number or boolean (validated per key). */
export class UpdateOptionDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: 'SystemName', description: 'Option name (see GET /api/option/ for the keys).' })
  @IsString()
  @Length(1, 64)
  key!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    example: 'My Gateway',
    description: 'New value, checked against the option’s type (booleans and numbers may also be sent as strings).',
  })
  @IsDefined({ message: 'value is required' })
  value!: string | number | boolean;
}
