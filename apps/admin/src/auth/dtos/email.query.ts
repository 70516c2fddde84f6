import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

/** `?email=&turnstile=` of /api/verification and /api/reset_password. */
export class EmailQuery {
  @ApiProperty({ type: String, format: 'email', maxLength: 50, example: 'alice@example.com', description: 'Address the mail is sent to.' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(50)
  email!: string;

  @ApiPropertyOptional({ type: String, example: '0.AbCdEf...', description: 'Cloudflare Turnstile token; required when TurnstileCheckEnabled is on.' })
  @IsOptional()
  @IsString()
  turnstile?: string;
}
