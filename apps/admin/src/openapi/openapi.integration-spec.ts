import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { ChannelType, LogType, Role } from '@oneapi/domain';
import { LogRepository } from '@oneapi/data';
import { MIN_ROLE } from '../auth/auth.decorators';
import { describeOnEachDb, type AdminHarness } from '../testing/admin-harness';
import { ACCESS_TOKEN_SCHEME, MIN_ROLE_EXTENSION, ROLE_NAMES, SESSION_SCHEME } from './api-docs.decorators';
import { OPENAPI_JSON_PATH, OPENAPI_TAGS } from './openapi';

type Json = Record<string, unknown>;
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  nullable?: boolean;
}
interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  [extension: `x-${string}`]: unknown;
}
interface Document {
  openapi: string;
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Json> };
}

/** A route as Nest registered it, read from the same metadata the router uses. */
interface NestRoute {
  method: string;
  /** Fastify form (`/api/user/:id`). */
  path: string;
  /** OpenAPI form (`/api/user/{id}`). */
  docPath: string;
  role: Role | undefined;
  name: string;
}

const VERBS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
};

function joinPath(prefix: string, path: string): string {
  return `/${[prefix, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
}

function nestRoutes(h: AdminHarness): NestRoute[] {
  const routes: NestRoute[] = [];
  for (const module of h.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as Type<unknown>;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, cls) ?? ''].flat() as string[];
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(cls.prototype, name)?.value;
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const verb = VERBS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        if (!verb) throw new Error(`${cls.name}.${name}: unexpected request method`);
        const role = (Reflect.getMetadata(MIN_ROLE, handler) ?? Reflect.getMetadata(MIN_ROLE, cls)) as Role | undefined;
        for (const prefix of prefixes) {
          for (const path of [paths].flat()) {
            const full = joinPath(prefix, path);
            routes.push({ method: verb, path: full, docPath: full.replace(/:(\w+)/g, '{$1}'), role, name: `${cls.name}.${name}` });
          }
        }
      }
    }
  }
  return routes;
}

function resolve(doc: Document, schema: Schema | undefined): Schema {
  if (!schema) throw new Error('missing schema');
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = doc.components.schemas[name];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return target;
}

/** Every `$ref` anywhere in the document. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const sorted = (keys: Iterable<string>) => [...keys].sort();

/** Property names of a component schema (the `data` of a route answer). */
function fields(doc: Document, name: string): string[] {
  const schema = doc.components.schemas[name];
  if (!schema?.properties) throw new Error(`no schema ${name}`);
  return sorted(Object.keys(schema.properties));
}

function requiredFields(doc: Document, name: string): string[] {
  return sorted(doc.components.schemas[name]?.required ?? []);
}

/** The `data` schema of an operation's 200 envelope. */
function dataSchema(doc: Document, path: string, method: string): Schema {
  const schema = resolve(doc, doc.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.schema);
  const data = schema.properties?.['data'];
  if (!data) throw new Error(`${method} ${path}: no data in the 200 answer`);
  return data;
}

// ---- DTO coverage (no app needed) ----

const SRC = join(__dirname, '..');

function dtoFiles(): string[] {
  return (readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => /(^|\/)dtos\/[^/]+\.ts$/.test(f) && !/\.(integration-)?spec\.ts$/.test(f))
    .map((f) => join(SRC, f));
}

/** Property names carrying `@ApiProperty` on a class or its parents. */
function apiProperties(cls: Type<unknown>): Set<string> {
  const names = new Set<string>();
  for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of (Reflect.getOwnMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, proto) as string[] | undefined) ?? []) names.add(key.replace(/^:/, ''));
  }
  return names;
}

describe('OpenAPI: DTOs under apps/admin/src/**/dtos/', () => {
  it('document every class-validator field with @ApiProperty', async () => {
    const files = dtoFiles();
    expect(files.length).toBeGreaterThanOrEqual(18);
    let classes = 0;
    const missing: string[] = [];
    for (const file of files) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        if (typeof value !== 'function') continue;
        const cls = value as Type<unknown>;
        const validated = new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName));
        if (!validated.size) continue;
        classes += 1;
        const documented = apiProperties(cls);
        for (const prop of validated) if (!documented.has(prop)) missing.push(`${cls.name}.${prop}`);
      }
    }
    expect(classes).toBeGreaterThanOrEqual(20);
    expect(missing).toEqual([]);
  });
});

// ---- The document the running app serves ----

describeOnEachDb('GET /api/openapi.json', (get) => {
  let doc: Document;
  let routes: NestRoute[];
  const bearer = (h: AdminHarness) => ({ Authorization: `Bearer ${h.root.accessToken}` });

  beforeAll(async () => {
    const h = get();
    if (!h) return;
    doc = (await h.http().get(OPENAPI_JSON_PATH).expect(200)).body as Document;
    routes = nestRoutes(h);
  });

  it('documents every route the app registers, with a summary and its feature tag', () => {
    const h = get();
    if (!h) return;
    expect(routes.length).toBeGreaterThanOrEqual(75);
    const fastify = h.app.getHttpAdapter().getInstance();
    const tagNames = OPENAPI_TAGS.map((t) => t.name);
    const problems: string[] = [];
    // GET twins of the channel job routes only answer 405 (use POST); they are not operations.
    const refusals = new Set(['/api/channel/test', '/api/channel/test/{id}', '/api/channel/update_balance', '/api/channel/update_balance/{id}'].map((p) => `get ${p}`));
    for (const r of routes) {
      // The enumeration is only as good as its agreement with the router.
      if (!fastify.hasRoute({ method: r.method.toUpperCase() as 'GET', url: r.path })) problems.push(`${r.name}: ${r.method} ${r.path} not registered in Fastify`);
      const op = doc.paths[r.docPath]?.[r.method];
      if (!op && refusals.has(`${r.method} ${r.docPath}`)) continue;
      if (!op) {
        problems.push(`${r.name}: ${r.method.toUpperCase()} ${r.docPath} is not documented`);
        continue;
      }
      if (!op.summary?.trim()) problems.push(`${r.method.toUpperCase()} ${r.docPath}: no summary`);
      if (op.tags?.length !== 1 || !tagNames.includes(op.tags[0] ?? '')) problems.push(`${r.method.toUpperCase()} ${r.docPath}: tags ${JSON.stringify(op.tags)}`);
    }
    // ... and nothing documented that the app does not serve.
    const served = new Set(routes.map((r) => `${r.method} ${r.docPath}`));
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) if (!served.has(`${method} ${path}`)) problems.push(`${method.toUpperCase()} ${path} is documented but not served`);
    }
    expect(problems).toEqual([]);
  });

  it('declares the cookie session and bearer access token schemes, on exactly the routes behind @Auth', () => {
    const h = get();
    if (!h) return;
    expect(doc.components.securitySchemes[SESSION_SCHEME]).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'session' });
    expect(doc.components.securitySchemes[ACCESS_TOKEN_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer' });
    // No document-wide requirement: public routes must read as public.
    expect(doc.security).toBeUndefined();
    const problems: string[] = [];
    for (const r of routes) {
      const op = doc.paths[r.docPath]?.[r.method];
      if (!op) continue;
      const label = `${r.method.toUpperCase()} ${r.docPath}`;
      if (r.role === undefined) {
        if (op.security?.length) problems.push(`${label} is public but declares security`);
        if (op[MIN_ROLE_EXTENSION] !== undefined) problems.push(`${label} is public but declares a role`);
        continue;
      }
      const schemes = sorted((op.security ?? []).flatMap((s) => Object.keys(s)));
      if (JSON.stringify(schemes) !== JSON.stringify(sorted([SESSION_SCHEME, ACCESS_TOKEN_SCHEME]))) problems.push(`${label} security ${JSON.stringify(op.security)}`);
      // Each requirement object is one alternative: either scheme alone authenticates.
      if ((op.security ?? []).some((s) => Object.keys(s).length !== 1)) problems.push(`${label} requires both schemes at once`);
      if (op[MIN_ROLE_EXTENSION] !== ROLE_NAMES[r.role]) problems.push(`${label} role ${String(op[MIN_ROLE_EXTENSION])}, @Auth says ${ROLE_NAMES[r.role]}`);
      if (!op.responses['401'] || !op.responses['403']) problems.push(`${label} lacks 401/403`);
    }
    expect(problems).toEqual([]);
    expect(routes.filter((r) => r.role === undefined).map((r) => `${r.method} ${r.docPath}`)).toEqual(expect.arrayContaining(['get /api/status', 'post /api/user/login', 'post /api/user/register']));
  });

  it('gives every POST and PUT a request body schema, and every $ref resolves', () => {
    const h = get();
    if (!h) return;
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of ['post', 'put'] as const) {
        const op = item[method];
        if (!op) continue;
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema) problems.push(`${method.toUpperCase()} ${path}: no request body schema`);
        else if (resolve(doc, schema).type !== 'object') problems.push(`${method.toUpperCase()} ${path}: body is not an object schema`);
      }
    }
    for (const ref of refs(doc)) if (!doc.components.schemas[ref.replace('#/components/schemas/', '')]) problems.push(`unresolved ${ref}`);
    expect(problems).toEqual([]);
    const bodyOf = (path: string, method: string) => doc.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema?.$ref;
    expect(bodyOf('/api/token', 'post')).toBe('#/components/schemas/CreateTokenDto');
    expect(bodyOf('/api/token', 'put')).toBe('#/components/schemas/UpdateTokenDto');
    expect(bodyOf('/api/channel', 'post')).toBe('#/components/schemas/CreateChannelDto');
    expect(bodyOf('/api/user/login', 'post')).toBe('#/components/schemas/LoginDto');
    expect(bodyOf('/api/option', 'put')).toBe('#/components/schemas/UpdateOptionDto');
  });

  it('describes request fields with types, constraints and examples', () => {
    const h = get();
    if (!h) return;
    const token = doc.components.schemas['CreateTokenDto'] as Schema;
    expect(fields(doc, 'CreateTokenDto')).toEqual(sorted(['name', 'remain_quota', 'unlimited_quota', 'expired_time', 'models', 'subnet']));
    expect(token.required ?? []).toEqual([]);
    expect(token.properties).toMatchObject({
      name: { type: 'string', maxLength: 30 },
      remain_quota: { type: 'integer', minimum: 0 },
      unlimited_quota: { type: 'boolean' },
      expired_time: { type: 'integer', minimum: -1, example: -1 },
      models: { type: 'string' },
      subnet: { type: 'string' },
    });
    // Inherited fields appear on the update body, with `id` required.
    expect(fields(doc, 'UpdateTokenDto')).toEqual(sorted(['id', 'status', 'name', 'remain_quota', 'unlimited_quota', 'expired_time', 'models', 'subnet']));
    expect(requiredFields(doc, 'UpdateTokenDto')).toEqual(['id']);
    expect(requiredFields(doc, 'LoginDto')).toEqual(['password', 'username']);
    expect(requiredFields(doc, 'CreateChannelDto')).toEqual(['key', 'type']);
    expect(requiredFields(doc, 'UpdateChannelDto')).toEqual(['id']);
    expect(doc.components.schemas['ManageUserDto']?.properties?.['action']?.enum).toEqual(['disable', 'enable', 'delete', 'promote', 'demote']);
    expect(doc.components.schemas['CreateRedemptionDto']?.properties?.['count']).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      if (!name.endsWith('Dto')) continue;
      for (const [prop, p] of Object.entries(schema.properties ?? {})) expect({ [`${name}.${prop}`]: (p as Json)['example'] !== undefined }).toEqual({ [`${name}.${prop}`]: true });
    }
  });

  it('documents query parameters: pagination, keyword and filters', () => {
    const h = get();
    if (!h) return;
    const params = (path: string, method = 'get') => sorted((doc.paths[path]?.[method]?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const path of ['/api/token', '/api/channel', '/api/redemption', '/api/log', '/api/log/self', '/api/user']) expect(params(path)).toEqual(expect.arrayContaining(['p', 'page_size']));
    for (const path of ['/api/token/search', '/api/channel/search', '/api/redemption/search', '/api/log/search', '/api/log/self/search', '/api/user/search']) expect(params(path)).toContain('keyword');
    expect(params('/api/log')).toEqual(sorted(['p', 'page_size', 'type', 'start_timestamp', 'end_timestamp', 'token_name', 'model_name', 'username', 'channel']));
    expect(params('/api/log/self')).toEqual(sorted(['p', 'page_size', 'type', 'start_timestamp', 'end_timestamp', 'token_name', 'model_name']));
    expect(params('/api/token')).toContain('order');
    expect(params('/api/token', 'put')).toEqual(['status_only']);
    expect(params('/api/log', 'delete')).toEqual(['target_timestamp']);
    expect(params('/api/verification')).toEqual(['email', 'turnstile']);
    expect(params('/api/channel/test/{id}', 'post')).toEqual(['model']);
    expect(doc.paths['/api/token/{id}']?.['get']?.parameters?.find((p) => p.in === 'path')).toMatchObject({ name: 'id', required: true, schema: { type: 'integer' } });
  });

  it('answers every /api route with the envelope and documents errors with the same envelope', () => {
    const h = get();
    if (!h) return;
    const error = doc.components.schemas['ErrorEnvelope'] as Schema;
    expect(sorted(Object.keys(error.properties ?? {}))).toEqual(['code', 'data', 'message', 'success']);
    const plain = new Set(['/api/channel/test/{id}', '/api/channel/update_balance/{id}', '/api/channel/models', '/api/redemption/export']);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(item)) {
        const label = `${method.toUpperCase()} ${path}`;
        const ok = op.responses['200']?.content?.['application/json']?.schema;
        if (!plain.has(path)) {
          const props = ok ? Object.keys(resolve(doc, ok).properties ?? {}) : [];
          if (!props.includes('success') || !props.includes('message')) problems.push(`${label}: 200 is not the envelope`);
        } else if (!op.responses['200']) problems.push(`${label}: no 200`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (!/^4/.test(status) && !/^5/.test(status)) continue;
          seen.add(status);
          if (response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorEnvelope') problems.push(`${label}: ${status} is not the error envelope`);
        }
        if (!op.responses['429']) problems.push(`${label}: no 429`);
      }
    }
    expect(problems).toEqual([]);
    expect(sorted(seen)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '429']));
    expect(dataSchema(doc, '/api/token', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/TokenView' } });
    expect(dataSchema(doc, '/api/token', 'post')).toEqual({ $ref: '#/components/schemas/TokenView' });
    expect(dataSchema(doc, '/api/user/dashboard', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/DashboardRow' } });
    expect(dataSchema(doc, '/api/option', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/OptionEntry' } });
    expect(dataSchema(doc, '/api/status', 'get')).toEqual({ $ref: '#/components/schemas/Status' });
  });

  it('names the fields the API really sends (token, user, channel, redemption, log, option, status, dashboard, errors)', async () => {
    const h = get();
    if (!h) return;
    const auth = bearer(h);
    const keys = (o: unknown) => sorted(Object.keys(o as Json));
    /** The real object has every property of the schema and nothing else; required ones are all present. */
    const matches = (real: unknown, schema: string, optionalAbsent: string[] = []) => {
      expect({ schema, keys: keys(real) }).toEqual({ schema, keys: fields(doc, schema).filter((f) => !optionalAbsent.includes(f)) });
      for (const f of requiredFields(doc, schema)) expect(keys(real)).toContain(f);
    };

    const token = await h.http().post('/api/token').set(auth).send({ name: 'doc-check', remain_quota: 1000, expired_time: -1, unlimited_quota: false, models: 'gpt-4o', subnet: '10.0.0.0/8' }).expect(200);
    matches(token.body.data, 'TokenView');
    const tokens = await h.http().get('/api/token?p=0&page_size=5').set(auth).expect(200);
    expect(keys(tokens.body)).toEqual(['data', 'message', 'success', 'total']);
    matches(tokens.body.data[0], 'TokenView');

    matches((await h.http().get('/api/user/self').set(auth).expect(200)).body.data, 'UserView');
    const users = await h.http().get('/api/user?p=0').set(auth).expect(200);
    expect(keys(users.body)).toEqual(['data', 'message', 'success', 'total']);
    matches(users.body.data[0], 'UserView');

    const created = await h.http().post('/api/channel').set(auth).send({ type: ChannelType.OpenAI, key: 'sk-doc-check-0123456789abcdef', name: 'doc', models: 'gpt-4o' }).expect(200);
    matches(created.body.data, 'ChannelCreated');
    matches((await h.http().get(`/api/channel/${created.body.data.ids[0]}`).set(auth).expect(200)).body.data, 'ChannelView');

    const codes = await h.http().post('/api/redemption').set(auth).send({ name: 'doc-check', quota: 100, count: 1 }).expect(200);
    const code = (await h.http().get(`/api/redemption/search?keyword=${codes.body.data[0]}`).set(auth).expect(200)).body.data[0];
    matches(code, 'RedemptionView');

    const user = await h.createUser();
    await h.http().post('/api/topup').set(auth).send({ user_id: user.id, quota: 500, remark: 'doc check' }).expect(200);
    await h.app.get(LogRepository, { strict: false }).insert({ userId: user.id, type: LogType.Consume, content: 'doc', username: user.username, tokenName: 't', modelName: 'gpt-4o', quota: 10, promptTokens: 1, completionTokens: 2, channelId: 1 });
    const adminLogs = await h.http().get(`/api/log?username=${user.username}`).set(auth).expect(200);
    expect(adminLogs.body.data.length).toBe(2);
    for (const row of adminLogs.body.data) matches(row, 'LogView');
    const userAuth = { Authorization: `Bearer ${user.accessToken}` };
    const ownLogs = await h.http().get('/api/log/self').set(userAuth).expect(200);
    for (const row of ownLogs.body.data) matches(row, 'LogView', ['channel']);
    matches((await h.http().get('/api/log/self/stat').set(userAuth).expect(200)).body.data, 'LogStat');
    const dashboard = await h.http().get('/api/user/dashboard').set(userAuth).expect(200);
    expect(dashboard.body.data.length).toBeGreaterThan(0);
    for (const row of dashboard.body.data) matches(row, 'DashboardRow');

    const options = await h.http().get('/api/option').set(auth).expect(200);
    for (const row of options.body.data) matches(row, 'OptionEntry');
    matches((await h.http().get('/api/status').expect(200)).body.data, 'Status');
    matches((await h.http().get('/api/channel/jobs').set(auth).expect(200)).body.data, 'ChannelJobs');

    // Errors, public and secured, carry the documented error envelope.
    matches((await h.http().get('/api/token/999999').set(auth).expect(404)).body, 'ErrorEnvelope');
    matches((await h.http().get('/api/token').expect(401)).body, 'ErrorEnvelope');
    matches((await h.http().get('/api/option').set(userAuth).expect(403)).body, 'ErrorEnvelope');
    matches((await h.http().post('/api/token').set(auth).send({ name: 'x'.repeat(31) }).expect(400)).body, 'ErrorEnvelope');
  });
});
