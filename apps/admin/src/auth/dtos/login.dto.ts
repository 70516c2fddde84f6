import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/user/login: `username` may also be the account's email address. */
export class LoginDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 128, example: 'root', description: 'Username, or the account’s email address.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  username!: string;

  @ApiProperty({ type: String, format: 'password', minLength: 1, maxLength: 128, example: '123456' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;
}
