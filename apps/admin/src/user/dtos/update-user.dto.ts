import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** PUT /api/user/ (admin). Role and status change through /api/user/manage. */
export class UpdateUserDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2, description: 'The user to change.' })
  @IsInt()
  @Min(1)
  id!: number;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 12, example: 'alice' })
  @IsOptional()
  @IsString()
  @Length(1, 12)
  username?: string;

  @ApiPropertyOptional({ type: String, maxLength: 20, example: 'Alice' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;

  @ApiPropertyOptional({ type: String, format: 'password', maxLength: 20, example: 'new-password-1', description: '8 to 20 characters; empty or absent keeps the current password.' })
  @ValidateIf((o: UpdateUserDto) => o.password !== undefined && o.password !== '')
  @IsString()
  @Length(8, 20)
  password?: string;

  @ApiPropertyOptional({ type: String, maxLength: 50, example: 'alice@example.com', description: 'An email address, or empty.' })
  @ValidateIf((o: UpdateUserDto) => o.email !== undefined && o.email !== '')
  @IsEmail()
  @MaxLength(50)
  email?: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 32, example: 'default', description: 'One of GET /api/group/.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  group?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 500000, description: 'New remaining quota (409 if it changed meanwhile).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quota?: number;
}
