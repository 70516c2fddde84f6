/**
 * A tiny stand-in for the admin service, only for the console's first spec (the real one is
 * started by later specs): One API's envelope, a session cookie, and a record of every request
 * so tests can assert what went through the console's proxy.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeAdminOptions {
  notice?: string;
  status?: Record<string, unknown>;
}

export interface FakeAdmin {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

const USERS: Record<string, { password: string; user: Record<string, unknown>; session: string }> = {
  alice: {
    password: 'alice-password',
    session: 'sess-alice',
    user: { id: 2, username: 'alice', display_name: 'Alice', role: 1, status: 1, email: '', quota: 1_000_000, used_quota: 250_000, request_count: 42, group: 'default' },
  },
  root: {
    password: '123456',
    session: 'sess-root',
    user: { id: 1, username: 'root', display_name: 'Root User', role: 100, status: 1, email: '', quota: 0, used_quota: 0, request_count: 0, group: 'default' },
  },
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sessionOf(req: IncomingMessage): string | undefined {
  return /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
}

export async function startFakeAdmin(options: FakeAdminOptions = {}): Promise<FakeAdmin> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const session = sessionOf(req);
      const user = Object.values(USERS).find((u) => u.session === session);
      if (path === '/api/status') {
        return send(res, 200, { success: true, message: '', data: { system_name: 'Fake Gateway', quota_per_unit: 500000, display_in_currency: true, version: 'test', ...options.status } });
      }
      if (path === '/api/notice') return send(res, 200, { success: true, message: '', data: options.notice ?? '' });
      if (path === '/api/home_page_content' || path === '/api/about') return send(res, 200, { success: true, message: '', data: '' });
      if (path === '/api/user/login' && req.method === 'POST') {
        let creds: { username?: string; password?: string } = {};
        try {
          creds = JSON.parse(body) as typeof creds;
        } catch {
          return send(res, 400, { success: false, message: 'invalid body' });
        }
        const found = creds.username ? USERS[creds.username] : undefined;
        if (!found || found.password !== creds.password) return send(res, 401, { success: false, message: 'Wrong username or password' });
        return send(res, 200, { success: true, message: '', data: found.user }, { 'set-cookie': [`session=${found.session}; Path=/; HttpOnly; SameSite=Lax`] });
      }
      if (path === '/api/user/logout') return send(res, 200, { success: true, message: '' }, { 'set-cookie': ['session=; Path=/; Max-Age=0'] });
      if (!user) return send(res, 401, { success: false, message: 'Not signed in' });
      // Root with the default password: every other call is refused until it changes it.
      if (user === USERS.root && !(path === '/api/user/self' && req.method === 'PUT')) {
        return send(res, 403, { success: false, message: 'change the default root password first (PUT /api/user/self)', data: null });
      }
      if (path === '/api/user/self' && req.method === 'GET') return send(res, 200, { success: true, message: '', data: user.user });
      if (path === '/api/user/self' && req.method === 'PUT') return send(res, 200, { success: true, message: '' });
      if (path === '/api/user/dashboard') {
        const today = new Date();
        const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
        return send(res, 200, { success: true, message: '', data: [{ Day: day, ModelName: 'gpt-4o-mini', RequestCount: 3, Quota: 1500, PromptTokens: 30, CompletionTokens: 12 }] });
      }
      return send(res, 200, { success: true, message: '', data: [] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
