import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/user/login: `username` may also be the account's email address. */
export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;
}
