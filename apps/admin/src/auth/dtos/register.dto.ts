import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** POST /api/user/register (One API's field names). */
export class RegisterDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 12, example: 'bob' })
  @IsString()
  @Length(1, 12)
  username!: string;

  @ApiProperty({ type: String, format: 'password', minLength: 8, maxLength: 20, example: 'correct-horse' })
  @IsString()
  @Length(8, 20)
  password!: string;

  @ApiPropertyOptional({ type: String, maxLength: 20, example: 'Bob', description: 'Defaults to the username.' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;

  @ApiPropertyOptional({ type: String, format: 'email', maxLength: 50, example: 'bob@example.com', description: 'Required (with `verification_code`) when EmailVerificationEnabled is on.' })
  @ValidateIf((o: RegisterDto) => o.email !== undefined && o.email !== '')
  @IsEmail()
  @MaxLength(50)
  email?: string;

  @ApiPropertyOptional({ type: String, maxLength: 32, example: '4f2a9c', description: 'Code mailed by GET /api/verification.' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  verification_code?: string;

  /** The inviter's code. */
  @ApiPropertyOptional({ type: String, maxLength: 32, example: 'a1b2', description: 'The inviter’s `aff_code`.' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  aff_code?: string;
}
