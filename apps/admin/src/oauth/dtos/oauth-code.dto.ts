import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** POST /api/oauth/wechat and /api/oauth/wechat/bind: the code from the WeChat official account. */
export class WeChatCodeDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: '6a1f2c', description: 'Code from the WeChat official account.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  code!: string;
}

/** POST /api/oauth/github: what GitHub redirected the browser back with. */
export class GitHubCallbackDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 256, example: '0f3a9c7e2b1d', description: 'The code GitHub redirected with.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  code!: string;

  @ApiPropertyOptional({ type: String, maxLength: 64, example: 'k3J9aQx2LmP0', description: 'The value from GET /api/oauth/state.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  state?: string;
}
