import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?p=` (0-based page) and `?page_size=` (default 10, at most 100). */
export class ListUsersQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  p?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  page_size?: number;
}

export class SearchUsersQuery {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  keyword?: string;
}
