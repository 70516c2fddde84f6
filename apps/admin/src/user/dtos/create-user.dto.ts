import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** POST /api/user/ (admin). The role is not taken from the body: promote through /api/user/manage. */
export class CreateUserDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 12, example: 'carol' })
  @IsString()
  @Length(1, 12)
  username!: string;

  @ApiProperty({ type: String, format: 'password', minLength: 8, maxLength: 20, example: 'correct-horse' })
  @IsString()
  @Length(8, 20)
  password!: string;

  @ApiPropertyOptional({ type: String, maxLength: 20, example: 'Carol', description: 'Defaults to the username.' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;
}
