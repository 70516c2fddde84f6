import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** POST /api/topup (One API's AdminTopUp): credit a user's quota with a top-up log. */
export class AdminTopUpDto {
  @IsInt()
  @Min(1)
  user_id!: number;

  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota!: number;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  remark?: string;
}
