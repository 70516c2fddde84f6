import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /api/oauth/email/verification: the address a bind code is mailed to. */
export class BindEmailCodeDto {
  @ApiProperty({ type: String, format: 'email', maxLength: 50, example: 'alice@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(50)
  email!: string;
}

/** POST /api/oauth/email/bind: the address and the code mailed for binding it. */
export class BindEmailDto extends BindEmailCodeDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 32, example: '4f2a9c', description: 'The code POST /api/oauth/email/verification mailed.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  code!: string;
}
