import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** POST /api/user/ (admin). The role is not taken from the body: promote through /api/user/manage. */
export class CreateUserDto {
  @IsString()
  @Length(1, 12)
  username!: string;

  @IsString()
  @Length(8, 20)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  display_name?: string;
}
