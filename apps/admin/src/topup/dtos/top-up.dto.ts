import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /api/user/topup`. */
export class TopUpDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: '4f0c2b9d6e1a4c8b9f7e3d2a1b0c9d8e', description: 'The redemption code.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  key!: string;
}
