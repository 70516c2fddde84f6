import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /api/user/topup`. */
export class TopUpDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  key!: string;
}
