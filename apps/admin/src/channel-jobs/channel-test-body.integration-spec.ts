import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChannelStatus, Role } from '@oneapi/domain';
import { availableDbKinds } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';

/** What an internal service would not want read back: it must reach root at most. */
const MARKER = 'INTERNAL-ONLY-d41d8cd98f00';

/** How the "internal service" answers, per path prefix the channel's base URL selects. */
const REPLIES: Record<string, { status: number; type: string; body: string }> = {
  text: { status: 500, type: 'text/plain', body: `database password table: ${MARKER} (more internal detail)` },
  json: { status: 503, type: 'application/json', body: JSON.stringify({ error: { message: `backend ${MARKER} is down`, type: 'internal' } }) },
  ok: { status: 200, type: 'application/json', body: JSON.stringify({ error: `2xx with ${MARKER} inside` }) },
};

describe.each([['sqlite'], ['mysql']] as const)('POST /api/channel/test/:id on %s: an upstream body is for root only', (kind) => {
  let h: AdminHarness | undefined;
  let internal: Server;
  let internalUrl: string;
  let admin: TestUser;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes(kind)) return;
    internal = createServer((req, res) => {
      const reply = REPLIES[(req.url ?? '').split('/')[1] ?? ''] ?? { status: 404, type: 'text/plain', body: 'no such path' };
      res.writeHead(reply.status, { 'content-type': reply.type });
      res.end(reply.body);
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', () => r()));
    internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
    h = await startAdminHarness(kind);
    admin = await h.createUser({ role: Role.Admin });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => internal?.close(r));
  });

  /** A channel as a non-root admin may create one: an OpenAI-compatible type pointed at the internal service. */
  const channel = async (path: string): Promise<number> => {
    const hh = h as AdminHarness;
    const name = `internal-${path}-${Date.now()}`;
    await hh
      .http()
      .post('/api/channel/')
      .set({ Authorization: admin.accessToken })
      .send({ type: 1, key: 'sk-anything', name, base_url: `${internalUrl}/${path}`, models: 'gpt-4o-mini', group: 'default', status: ChannelStatus.Enabled })
      .expect(200);
    return Number((await hh.sql<{ id: number }>('SELECT id FROM channels WHERE name = ?', [name]))[0]?.id);
  };

  it.each(Object.entries(REPLIES).map(([path, r]) => [path, r.status] as const))(
    'a non-root admin gets status, latency and an error class only (%s reply, HTTP %i); root gets the sanitised detail',
    async (path, status) => {
      if (!h) return;
      const id = await channel(path);
      const res = await h.http().post(`/api/channel/test/${id}`).set({ Authorization: admin.accessToken }).expect(200);
      expect(JSON.stringify(res.body)).not.toContain(MARKER);
      expect(res.body).toMatchObject({ success: false, model: 'gpt-4o-mini', status, error_class: expect.any(String) });
      expect(res.body.message).toContain(`HTTP ${status}`);
      expect(res.body.time).toBeGreaterThanOrEqual(0);

      const asRoot = await h.http().post(`/api/channel/test/${id}`).set({ Authorization: h.root.accessToken }).expect(200);
      expect(asRoot.body.message).toContain(MARKER);
      expect(asRoot.body.error_class).toBe(res.body.error_class);

      // The test log rows are read by every admin: they carry no upstream words either.
      const logs = await h.http().get('/api/log/?p=0&type=5').set({ Authorization: admin.accessToken }).expect(200);
      const mine = (logs.body.data as Array<{ content: string; channel: number }>).filter((l) => l.channel === id);
      expect(mine.length).toBe(2);
      expect(JSON.stringify(mine)).not.toContain(MARKER);
    },
  );

  it('an unreachable internal address answers its class, not the connection error', async () => {
    if (!h) return;
    const hh = h;
    const name = `closed-${Date.now()}`;
    await hh.sql("INSERT INTO channels (type, `key`, status, name, base_url, models, `group`) VALUES (1, 'sk-x', 1, ?, 'http://127.0.0.1:1', 'gpt-4o-mini', 'default')", [name]);
    const id = Number((await hh.sql<{ id: number }>('SELECT id FROM channels WHERE name = ?', [name]))[0]?.id);
    const res = await hh.http().post(`/api/channel/test/${id}`).set({ Authorization: admin.accessToken }).expect(200);
    expect(res.body).toMatchObject({ success: false, status: 0, error_class: 'unreachable', message: 'request failed (unreachable)' });
  });
});
