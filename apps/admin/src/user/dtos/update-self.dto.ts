import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** The profile fields a user changes on themselves and an admin on a user. */
export class ProfileFieldsDto {
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

  @ApiPropertyOptional({ type: String, format: 'password', maxLength: 20, example: 'new-password-1', description: '8 to 20 characters; empty or absent keeps the current password. A new password ends every other session and replaces the access token.' })
  @ValidateIf((o: ProfileFieldsDto) => o.password !== undefined && o.password !== '')
  @IsString()
  @Length(8, 20)
  password?: string;
}

/** PUT /api/user/self. An empty or absent password leaves it unchanged (One API's console sends ""). */
export class UpdateSelfDto extends ProfileFieldsDto {
  /** New API's field name for the same check. */
  @ApiPropertyOptional({ type: String, format: 'password', maxLength: 128, example: 'current-password-1', description: 'The current password; required with a new `password` (400 when missing, 403 when wrong).' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  original_password?: string;
}
