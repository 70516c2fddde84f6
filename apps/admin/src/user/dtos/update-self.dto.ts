import { IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** PUT /api/user/self. An empty or absent password leaves it unchanged (One API's console sends ""). */
export class UpdateSelfDto {
  @IsOptional()
  @IsString()
  @Length(1, 12)
  username?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;

  @ValidateIf((o: UpdateSelfDto) => o.password !== undefined && o.password !== '')
  @IsString()
  @Length(8, 20)
  password?: string;
}
