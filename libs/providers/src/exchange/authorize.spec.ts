import type { ProviderAdapter } from '../adapter.types';
import { UpstreamAuthorizationError } from '../errors';
import { authorizeUpstreamRequest, classifyAuthorizationFailure, upstreamAuthHttp } from './authorize';
import type { UpstreamClient, UpstreamRequest } from './upstream-client';

/** A client that records what it was asked to send and answers a token (the proxy path is in proxy.spec.ts). */
function recordingClient() {
  const sent: UpstreamRequest[] = [];
  const client = {
    send(req: UpstreamRequest) {
      sent.push(req);
      return { started: Promise.resolve(), statusCode: 200, collect: () => Promise.resolve(Buffer.from('{"access_token":"t"}')) };
    },
  } as unknown as UpstreamClient;
  return { client, sent };
}

const adapter = {
  name: 'signing',
  authorize: async (_ch: unknown, req: { url: string; headers: Record<string, string> }, http: { post(u: string, h: Record<string, string>, b: string): Promise<{ text: string }> }) => {
    const token = JSON.parse((await http.post('https://auth.example/token', {}, '')).text) as { access_token: string };
    return { headers: { ...req.headers, authorization: `Bearer ${token.access_token}` }, url: `${req.url}?signed=1` };
  },
} as unknown as ProviderAdapter;

const ch = { id: 1, type: 42, key: 'k', config: {} };

describe('authorize step', () => {
  it('returns the request with the headers and URL the adapter produced', async () => {
    const { client } = recordingClient();
    const out = await authorizeUpstreamRequest(adapter, ch, { url: 'https://up.example/x', method: 'POST', headers: { a: '1' }, body: '{}', wantUsage: false, systemPromptReset: false }, upstreamAuthHttp(client));
    expect(out).toMatchObject({ url: 'https://up.example/x?signed=1', headers: { a: '1', authorization: 'Bearer t' } });
  });

  it('a token endpoint refusing the credentials is the channel key refused (502 upstream_auth_error); unreachable is a transport failure', () => {
    expect(classifyAuthorizationFailure(adapter, new UpstreamAuthorizationError(400, 'invalid_grant'), [])).toMatchObject({ kind: 'credentials', status: 502, disableChannel: true });
    expect(classifyAuthorizationFailure(adapter, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), [])).toMatchObject({ kind: 'unreachable', retry: true });
  });
});
