import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { APP_VERSION } from '@oneapi/config';
import { SESSION_COOKIE } from '../auth/session';
import { ACCESS_TOKEN_SCHEME, MIN_ROLE_EXTENSION, SESSION_SCHEME } from './api-docs.decorators';
import { ErrorEnvelopeDoc, RESPONSE_MODELS } from './api-models';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const OPENAPI_UI_PATH = '/api/docs';

/** Tags, one per feature folder of apps/admin/src, in the order Swagger UI shows them. */
export const OPENAPI_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'status', description: 'Public settings and texts (no authentication).' },
  { name: 'auth', description: 'Login, logout, registration, verification mail and password reset.' },
  { name: 'oauth', description: 'GitHub and WeChat login, account binding.' },
  { name: 'user', description: 'The caller’s account, and user administration (admin).' },
  { name: 'topup', description: 'Redeeming a code for quota.' },
  { name: 'token', description: 'The caller’s API tokens for the relay.' },
  { name: 'model', description: 'Models the caller can use.' },
  { name: 'dashboard', description: 'The caller’s consumption per day and model.' },
  { name: 'log', description: 'Request, top-up and management logs.' },
  { name: 'channel', description: 'Upstream channels (admin).' },
  { name: 'channel-jobs', description: 'Channel tests and balance updates (admin).' },
  { name: 'redemption', description: 'Redemption codes (admin).' },
  { name: 'group', description: 'User and channel groups (admin).' },
  { name: 'option', description: 'System options (root).' },
  { name: 'health', description: 'Process health and metrics (outside /api: no envelope).' },
];

/** The platform's health routes (libs/platform) carry no decorators of ours: described here. */
const HEALTH_ROUTES: Readonly<Record<string, string>> = {
  '/healthz': 'Liveness: the process is up',
  '/readyz': 'Readiness: the database (and Redis when configured) answer',
  '/metrics': 'Prometheus metrics',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function operations(document: OpenAPIObject): Array<{ path: string; method: string; op: OperationObject }> {
  const out: Array<{ path: string; method: string; op: OperationObject }> = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.push({ path, method, op });
    }
  }
  return out;
}

/**
 * Facts that hold for whole groups of routes, applied after Nest builds the document: every
 * `/api` route may answer 429 (GLOBAL_API_RATE_LIMIT runs before routing), secured routes name
 * their minimum role in the description, and the health routes get a tag and summary.
 */
function decorateDocument(document: OpenAPIObject): void {
  for (const { path, op } of operations(document)) {
    if (path.startsWith('/api/') || path === '/api') {
      op.responses['429'] ??= {
        description: 'Rate limited (GLOBAL_API_RATE_LIMIT, or CRITICAL_RATE_LIMIT on login/registration/OAuth routes); `Retry-After` gives the seconds to wait.',
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDoc) } } },
      };
      const role = (op as OperationObject & Record<string, unknown>)[MIN_ROLE_EXTENSION];
      if (typeof role === 'string') {
        const note = `Requires a signed-in user with role ≥ ${role} (session cookie or access token).`;
        op.description = op.description ? `${op.description}\n\n${note}` : note;
      }
    } else if (HEALTH_ROUTES[path]) {
      op.tags = ['health'];
      op.summary ??= HEALTH_ROUTES[path];
    }
  }
}

/** The OpenAPI document of the management API (built from the registered controllers). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  let builder = new DocumentBuilder()
    .setTitle('One API TS management API')
    .setDescription(
      [
        'One API-compatible `/api` routes. Every answer is `{success, message, data}`; errors carry the real HTTP status and `{success: false, message, data: null, code}`.',
        'Lists take `p` (0-based page) and `page_size` and add `total` beside `data`.',
        '',
        'Authenticate with either:',
        `- the \`${SESSION_COOKIE}\` cookie set by \`POST /api/user/login\`, or`,
        '- `Authorization: Bearer <access token>` (a system access token from `GET /api/user/token`; the `Bearer ` prefix is optional).',
        '',
        'Routes without a security requirement are public.',
      ].join('\n'),
    )
    .setVersion(APP_VERSION)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'System access token from `GET /api/user/token` (not an `sk-` relay key). `Authorization: <token>` without `Bearer ` works too.' },
      ACCESS_TOKEN_SCHEME,
    )
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Session cookie set by `POST /api/user/login` (or an OAuth login).' }, SESSION_SCHEME);
  for (const tag of OPENAPI_TAGS) builder = builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [...RESPONSE_MODELS], autoTagControllers: false });
  decorateDocument(document);
  return document;
}

/** Serves the document at /api/openapi.json and a Swagger UI at /api/docs. */
export function registerOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_UI_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    yamlDocumentUrl: `${OPENAPI_UI_PATH.slice(1)}/openapi.yaml`,
  });
}
