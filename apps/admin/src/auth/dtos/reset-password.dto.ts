import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/user/reset: the address and the token from the reset link. */
export class ResetPasswordDto {
  @ApiProperty({ type: String, format: 'email', maxLength: 50, example: 'alice@example.com' })
  @IsEmail()
  @MaxLength(50)
  email!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: '9b1f0c3e8d2a', description: 'Token from the reset link mailed by GET /api/reset_password.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  token!: string;
}
