import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { APP_VERSION } from '@oneapi/config';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const OPENAPI_UI_PATH = '/api/docs';

/** The OpenAPI document of the management API (built from the registered controllers). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('One API TS management API')
    .setDescription(
      'One API-compatible `/api` routes. Every answer is `{success, message, data}`; errors carry the real HTTP status. ' +
        'Authenticate with the session cookie from `POST /api/user/login`, or `Authorization: <access token>` from `GET /api/user/token`.',
    )
    .setVersion(APP_VERSION)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'system access token (`GET /api/user/token`), optionally `Bearer `-prefixed' }, 'access-token')
    .addCookieAuth('session', { type: 'apiKey', in: 'cookie', name: 'session' }, 'session')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.security = [{ 'access-token': [] }, { session: [] }];
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
