import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /api/redemption/`: `count` codes named `name`, each worth `quota`. */
export class CreateRedemptionDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota!: number;

  @IsInt()
  @Min(1)
  @Max(100)
  count!: number;
}
