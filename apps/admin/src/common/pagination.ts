import { ApiError } from './api-error';

/** One API's page size when `page_size` is absent, and the largest page a client may ask for. */
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export interface Pagination {
  /** 0-based page number (`p`). */
  page: number;
  pageSize: number;
  offset: number;
  limit: number;
}

/** A list answer: One API's `data` array plus the total number of matching rows. */
export interface PagedEnvelope<T> {
  success: true;
  message: string;
  data: T[];
  total: number;
}

function queryValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryValue(value[0]);
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/**
 * An optional integer query parameter: undefined when absent or empty, 400 naming the field
 * when it is not an integer in range.
 */
export function intQuery(value: unknown, field: string, range: { min?: number; max?: number } = {}): number | undefined {
  const text = queryValue(value);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw ApiError.badRequest(`${field} must be an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw ApiError.badRequest(`${field} is out of range`);
  if (range.min !== undefined && n < range.min) throw ApiError.badRequest(`${field} must not be less than ${range.min}`);
  if (range.max !== undefined && n > range.max) throw ApiError.badRequest(`${field} must not be greater than ${range.max}`);
  return n;
}

/** An optional string query parameter (trimmed; undefined when empty). */
export function stringQuery(value: unknown, field: string, maxLength = 256): string | undefined {
  const text = queryValue(value);
  if (text !== undefined && text.length > maxLength) throw ApiError.badRequest(`${field} must be at most ${maxLength} characters`);
  return text;
}

/** A positive integer path id (`/api/token/:id`); 400 naming the field otherwise. */
export function parseId(value: unknown, field = 'id'): number {
  const id = intQuery(value, field, { min: 1 });
  if (id === undefined) throw ApiError.badRequest(`${field} is required`);
  return id;
}

/**
 * One API's pagination: `p` is 0-based (negative reads as 0, as One API does), `page_size`
 * defaults to 10 and is capped at 100.
 */
export function parsePagination(query: { p?: unknown; page_size?: unknown }): Pagination {
  const page = Math.max(0, intQuery(query.p, 'p') ?? 0);
  const requested = intQuery(query.page_size, 'page_size', { min: 1 }) ?? DEFAULT_PAGE_SIZE;
  const pageSize = Math.min(requested, MAX_PAGE_SIZE);
  return { page, pageSize, offset: page * pageSize, limit: pageSize };
}

export function paged<T>(items: T[], total: number, message = ''): PagedEnvelope<T> {
  return { success: true, message, data: items, total };
}
