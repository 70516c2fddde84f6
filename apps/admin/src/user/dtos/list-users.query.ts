import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?p=` (0-based page) and `?page_size=` (default 10, at most 100). */
export class ListUsersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, example: 0, description: '0-based page number.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  p?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10, example: 10, description: 'Rows per page.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  page_size?: number;
}

export class SearchUsersQuery {
  @ApiPropertyOptional({ type: String, maxLength: 64, example: 'ali', description: 'Matches the id, or part of the username, display name or email (at most 100 users).' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  keyword?: string;
}
