import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** PUT /api/user/self. An empty or absent password leaves it unchanged (One API's console sends ""). */
export class UpdateSelfDto {
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
  @ValidateIf((o: UpdateSelfDto) => o.password !== undefined && o.password !== '')
  @IsString()
  @Length(8, 20)
  password?: string;
}
