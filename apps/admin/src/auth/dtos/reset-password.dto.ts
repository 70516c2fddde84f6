import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/user/reset: the address and the token from the reset link. */
export class ResetPasswordDto {
  @IsEmail()
  @MaxLength(50)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  token!: string;
}
