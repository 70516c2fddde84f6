import { IsEmail, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** POST /api/user/register (One API's field names). */
export class RegisterDto {
  @IsString()
  @Length(1, 12)
  username!: string;

  @IsString()
  @Length(8, 20)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;

  @ValidateIf((o: RegisterDto) => o.email !== undefined && o.email !== '')
  @IsEmail()
  @MaxLength(50)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  verification_code?: string;

  /** The inviter's code. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  aff_code?: string;
}
