import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

/** `?email=&turnstile=` of /api/verification and /api/reset_password. */
export class EmailQuery {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(50)
  email!: string;

  @IsOptional()
  @IsString()
  turnstile?: string;
}
