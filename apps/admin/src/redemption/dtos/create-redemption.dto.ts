import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /api/redemption/`: `count` codes named `name`, each worth `quota`. */
export class CreateRedemptionDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 64, example: 'spring-promo', description: 'Batch name (GET /api/redemption/export?name= exports it).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, example: 500000, description: 'Quota each code adds (500000 = 1 USD by default).' })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quota!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 10, description: 'How many codes to create.' })
  @IsInt()
  @Min(1)
  @Max(100)
  count!: number;
}
