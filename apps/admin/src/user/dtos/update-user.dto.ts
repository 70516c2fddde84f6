import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileFieldsDto } from './update-self.dto';
import { IsEmail, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/**
 * PUT /api/user/ (admin): the self-service fields (username, display name, password) plus the
 * admin's. Role and status change through /api/user/manage. A new password ends the user's
 * sessions and replaces their access token.
 */
export class UpdateUserDto extends ProfileFieldsDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2, description: 'The user to change.' })
  @IsInt()
  @Min(1)
  id!: number;

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
