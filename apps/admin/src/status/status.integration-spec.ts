import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { createTestDatabase, type TestDatabase } from '@oneapi/testing';
import { createAdminApp } from '../admin.app';

describe('GET /api/status', () => {
  let db: TestDatabase;
  let runtime: ServiceRuntime;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    runtime = await createRuntimeFromEnv('admin', db.env);
    app = await createAdminApp(runtime);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    await db.drop();
  });

  it('answers the status envelope and health endpoints', async () => {
    const res = await request(app.getHttpServer()).get('/api/status').expect(200);
    expect(res.body).toMatchObject({ success: true, data: { version: expect.stringMatching(/^v\d/) } });
    await request(app.getHttpServer()).get('/healthz').expect(200);
    const ready = await request(app.getHttpServer()).get('/readyz').expect(200);
    expect(ready.body.checks.database).toBe('ok');
  });
});
