/**
 * The console's only way to the admin API: same-origin `/api/*` (proxied to ADMIN_URL by
 * app/api/[...path]/route.ts), One API's envelope `{success, message, data}` unwrapped, and any
 * failure (HTTP status or `success: false`) thrown as an {@link ApiError} carrying the API's
 * own message so forms can show it.
 */
import type { ApiEnvelope } from './types';

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** What failed, for {@link ServerErrorTranslator}: the API's `code` and English `message`. */
export interface ApiFailure {
  code?: string;
  message: string;
  status: number;
}

/** Turns a failure into the text the console shows (the user's language). */
export type ServerErrorTranslator = (failure: ApiFailure) => string;

let translateFailure: ServerErrorTranslator = (failure) => failure.message;

/** Installed by the console's providers, in the page's language (the API speaks English and sends a code). */
export function setServerErrorTranslator(translator: ServerErrorTranslator): void {
  translateFailure = translator;
}

/** A server message as a message-catalog key: `wrong username or password` → `wrong_username_or_password`. */
export function messageSlug(message: string): string {
  return message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
}

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 200 when the API answered `success: false` with 200 (One API's habit). */
    readonly status: number,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The API's machine-readable `code` (`bad_request`, `invalid_options`, ...), when it sent one. */
  get code(): string | undefined {
    const code = this.body?.['code'];
    return typeof code === 'string' ? code : undefined;
  }

  /** The API's own (English) message; `message` is what the console shows. */
  get serverMessage(): string {
    const message = this.body?.['message'];
    return typeof message === 'string' ? message : this.message;
  }

  /** Session missing or expired. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  /**
   * Root still has the default password: the admin API refuses the session's other calls with
   * 403 until it is changed. Matched on an explicit code first, then on the message wording.
   */
  get isPasswordChangeRequired(): boolean {
    if (this.status !== 403) return false;
    const code = this.body?.['code'];
    if (typeof code === 'string' && /password/i.test(code)) return true;
    return /(default|initial)\b.{0,20}password|change\b.{0,30}password|默认密码|修改密码/i.test(this.serverMessage);
  }
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/** Full envelope, for the few endpoints that put extra fields beside `data` (test `time`, `balance`). */
export type ApiResponse<T> = ApiEnvelope<T> & Record<string, unknown>;

export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    // The admin API refuses a signed-in change without it (or JSON): HTML forms and no-cors
    // fetches from other sites cannot send it.
    headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    signal: options.signal,
  };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(translateFailure({ code: 'network', message: 'Network error: the server could not be reached.', status: 0 }), 0);
  }
  let body: Record<string, unknown> | undefined;
  const text = await res.text();
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  const message = typeof body?.['message'] === 'string' ? (body['message'] as string) : '';
  if (!res.ok || !body || body['success'] !== true) {
    const code = typeof body?.['code'] === 'string' ? (body['code'] as string) : undefined;
    throw new ApiError(translateFailure({ code, message: message || `${res.status} ${res.statusText || 'request failed'}`, status: res.status }), res.status, body);
  }
  return body as ApiResponse<T>;
}

/** `data` of a successful call. */
export async function apiData<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  return (await apiRequest<T>(method, path, options)).data;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) => apiData<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Record<string, QueryValue>) => apiData<T>('POST', path, { body, query }),
  put: <T>(path: string, body?: unknown, query?: Record<string, QueryValue>) => apiData<T>('PUT', path, { body, query }),
  delete: <T>(path: string, query?: Record<string, QueryValue>) => apiData<T>('DELETE', path, { query }),
};

/** A page of a list endpoint: One API answers a bare array; this API may add `total`. */
export interface Page<T> {
  items: T[];
  total?: number;
}

export async function apiPage<T>(path: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<Page<T>> {
  const res = await apiRequest<T[] | { items?: T[]; data?: T[]; total?: number } | null>('GET', path, { query, signal });
  const data = res.data;
  if (Array.isArray(data)) return { items: data, total: typeof res.total === 'number' ? res.total : undefined };
  if (data && typeof data === 'object') {
    const items = data.items ?? data.data ?? [];
    return { items, total: data.total ?? (typeof res.total === 'number' ? res.total : undefined) };
  }
  return { items: [] };
}
