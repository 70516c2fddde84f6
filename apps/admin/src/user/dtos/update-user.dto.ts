import { IsEmail, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** PUT /api/user/ (admin). Role and status change through /api/user/manage. */
export class UpdateUserDto {
  @IsInt()
  @Min(1)
  id!: number;

  @IsOptional()
  @IsString()
  @Length(1, 12)
  username?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;

  @ValidateIf((o: UpdateUserDto) => o.password !== undefined && o.password !== '')
  @IsString()
  @Length(8, 20)
  password?: string;

  @ValidateIf((o: UpdateUserDto) => o.email !== undefined && o.email !== '')
  @IsEmail()
  @MaxLength(50)
  email?: string;

  @IsOptional()
  @IsString()
  @Length(1, 32)
  group?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quota?: number;
}
