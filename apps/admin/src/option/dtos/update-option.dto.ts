import { IsDefined, IsString, Length } from 'class-validator';

/** PUT /api/option/ `{key, value}`; value may be a string, number or boolean (validated per key). */
export class UpdateOptionDto {
  @IsString()
  @Length(1, 64)
  key!: string;

  @IsDefined({ message: 'value is required' })
  value!: string | number | boolean;
}
