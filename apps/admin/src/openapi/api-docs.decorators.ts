import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiExtension,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  getSchemaPath,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { Role } from '@oneapi/domain';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination';
import { ErrorEnvelopeDoc } from './api-models';

/*
 * Decorators that only describe routes in the OpenAPI document; none changes what a route does.
 * Controllers stack them next to their Nest decorators.
 */

/** Security scheme names (declared in openapi.ts). Either one authenticates a secured route. */
export const SESSION_SCHEME = 'session';
export const ACCESS_TOKEN_SCHEME = 'access-token';
/** Operation extension naming the minimum role of a secured route (`common`, `admin`, `root`). */
export const MIN_ROLE_EXTENSION = 'x-min-role';

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  [Role.Guest]: 'guest',
  [Role.Common]: 'common',
  [Role.Admin]: 'admin',
  [Role.Root]: 'root',
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 429 | 503;

const ERROR_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'Invalid input (the message names the field).',
  401: 'Not logged in, or the access token is unknown.',
  403: 'The user is disabled, lacks the role, or (root, session) must change the default password first.',
  404: 'No such record (or not the caller’s).',
  409: 'Conflicts with the current state (taken name, already running, changed meanwhile).',
  429: 'Rate limited; `Retry-After` gives the seconds to wait.',
  503: 'A dependency (database, rate limiter, Turnstile verifier) is unavailable; try again.',
};

/** A class model (`$ref`), an array of one (`[Model]`), or an inline schema. */
export type DataSpec = Type<unknown> | [Type<unknown>] | SchemaObject;

function isModel(spec: DataSpec): spec is Type<unknown> {
  return typeof spec === 'function';
}

function modelsOf(spec: DataSpec | undefined): Type<unknown>[] {
  if (spec === undefined) return [];
  if (isModel(spec)) return [spec];
  if (Array.isArray(spec)) return [spec[0]];
  return [];
}

function schemaOf(spec: DataSpec): SchemaObject | ReferenceObject {
  if (isModel(spec)) return { $ref: getSchemaPath(spec) };
  if (Array.isArray(spec)) return { type: 'array', items: { $ref: getSchemaPath(spec[0]) } };
  return spec;
}

/** The `{success, message, data}` envelope around a data schema (no `data` when `data` is undefined). */
export function envelopeSchema(data?: DataSpec, extra: Record<string, SchemaObject> = {}, dataOptional = false): SchemaObject {
  const properties: Record<string, SchemaObject | ReferenceObject> = {
    success: { type: 'boolean', example: true },
    message: { type: 'string', example: '' },
  };
  if (data !== undefined) properties['data'] = schemaOf(data);
  Object.assign(properties, extra);
  const required = ['success', 'message', ...(data !== undefined && !dataOptional ? ['data'] : []), ...Object.keys(extra)];
  return { type: 'object', required, properties };
}

/** Route summary (and longer description). */
export const ApiSummary = (summary: string, description?: string) => ApiOperation({ summary, ...(description ? { description } : {}) });

/** 200 with the envelope; `data` described by `data` (omit it for routes answering `{success, message}` only; `dataOptional` when some answers have none). */
export function ApiEnvelope(data?: DataSpec, description = 'OK', options: { dataOptional?: boolean } = {}): MethodDecorator & ClassDecorator {
  const models = modelsOf(data);
  return applyDecorators(
    ...(models.length ? [ApiExtraModels(...models)] : []),
    ApiResponse({ status: 200, description, schema: envelopeSchema(data, {}, options.dataOptional) }),
  );
}

/** 200 with a page: `data` is the array of rows, `total` the number of matching rows. */
export function ApiPagedEnvelope(model: Type<unknown>, description = 'One page of rows'): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({ status: 200, description, schema: envelopeSchema([model], { total: { type: 'integer', example: 1, description: 'Rows matching the query (all pages).' } }) }),
  );
}

/** 200 with a body that is not the envelope (One API's own shapes). */
export function ApiPlainOk(model: Type<unknown>, description = 'OK'): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiExtraModels(model), ApiResponse({ status: 200, description, schema: { $ref: getSchemaPath(model) } }));
}

/** Error answers, each `{success:false, message, data:null, code}` with that HTTP status. */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDoc),
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], schema: { $ref: getSchemaPath(ErrorEnvelopeDoc) } })),
  );
}

/**
 * The documentation twin of `@Auth(role)`: session cookie or access token, 401/403, and the
 * minimum role as `x-min-role`. The OpenAPI suite checks it matches `@Auth` on every route.
 */
export function ApiAuth(role: Role = Role.Common): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiCookieAuth(SESSION_SCHEME), ApiBearerAuth(ACCESS_TOKEN_SCHEME), ApiExtension(MIN_ROLE_EXTENSION, ROLE_NAMES[role]), ApiErrors(401, 403));
}

/** One API's pagination: `p` (0-based) and `page_size`. */
export function ApiPaging(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'p', required: false, schema: { type: 'integer', minimum: 0, default: 0 }, description: '0-based page number (negative reads as 0).' }),
    ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }, description: `Rows per page (default ${DEFAULT_PAGE_SIZE}; larger values are capped at ${MAX_PAGE_SIZE}).` }),
  );
}

/** `?keyword=` of the search routes. */
export function ApiKeyword(description: string): MethodDecorator {
  return ApiQuery({ name: 'keyword', required: false, schema: { type: 'string', maxLength: 256 }, description });
}

/** A string or integer query parameter. */
export function ApiQueryParam(name: string, type: 'string' | 'integer' | 'boolean', description: string, extra: SchemaObject = {}, required = false): MethodDecorator {
  return ApiQuery({ name, required, schema: { type, ...extra }, description });
}

/** The positive integer `:id` of a path. */
export function ApiIdParam(what: string): MethodDecorator {
  return ApiParam({ name: 'id', required: true, schema: { type: 'integer', minimum: 1 }, description: `${what} id`, example: 1 });
}

/**
 * Action routes that read no body (POST twins of One API's GET routes). They declare an optional
 * empty object so generated clients may send `{}` or nothing.
 */
export function ApiNoBody(): MethodDecorator {
  return ApiBody({
    required: false,
    description: 'No body is read; send nothing or `{}`.',
    schema: { type: 'object', properties: {}, additionalProperties: false, example: {} },
  });
}

/** The filters of the log routes; `username` and `channel` only on the admin routes. */
export function ApiLogFilters(admin: boolean): MethodDecorator {
  const filters = [
    ApiQueryParam('type', 'integer', 'Log type: 1 top-up, 2 consume, 3 manage, 4 system, 5 test; 0 or absent = all.', { minimum: 0, maximum: 5 }),
    ApiQueryParam('start_timestamp', 'integer', 'Only logs at or after this time (unix seconds).', { minimum: 0 }),
    ApiQueryParam('end_timestamp', 'integer', 'Only logs at or before this time (unix seconds).', { minimum: 0 }),
    ApiQueryParam('token_name', 'string', 'Exact token name.', { maxLength: 64 }),
    ApiQueryParam('model_name', 'string', 'Exact model name.', { maxLength: 128 }),
  ];
  if (admin) {
    filters.push(
      ApiQueryParam('username', 'string', 'Exact username.', { maxLength: 64 }),
      ApiQueryParam('channel', 'integer', 'Channel id.', { minimum: 0 }),
    );
  }
  return applyDecorators(...filters);
}
