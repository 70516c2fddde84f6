import { jwtVerify, type CryptoKey, type KeyObject } from 'jose';
import { startFakeAnthropic } from './anthropic.fake';
import { forwardTo, startUpstreamServer, type UpstreamContext, type UpstreamServer } from './fake-server';
import type { FakeUpstream, FakeUpstreamOptions } from './fake-openai';
import { geminiError, startFakeGemini } from './gemini.fake';

export interface FakeVertexOptions extends FakeUpstreamOptions {
  projectId: string;
  region: string;
  clientEmail: string;
  /** Public half of the service account's key pair: the token endpoint verifies JWT signatures with it. */
  publicKey: CryptoKey | KeyObject;
}

export interface FakeVertex extends UpstreamServer {
  /** The token URI to put in the service-account JSON (`{url}/token`). */
  tokenUri: string;
  /** Access tokens issued so far. */
  issued: string[];
}

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The Gemini and Anthropic fakes that answer behind the Vertex front, with one internal key. */
async function startBackends(opts: FakeUpstreamOptions): Promise<{ gemini: FakeUpstream; anthropic: FakeUpstream; key: string; close(): Promise<void> }> {
  const key = 'vertex-internal-backend-key';
  const gemini = await startFakeGemini({ knobs: opts.knobs, apiKey: key });
  const anthropic = await startFakeAnthropic({ knobs: opts.knobs, apiKey: key });
  return {
    gemini,
    anthropic,
    key,
    close: async () => {
      await gemini.close();
      await anthropic.close();
    },
  };
}

function oauthError(ctx: UpstreamContext, error: string, description: string): void {
  ctx.json(400, { error, error_description: description });
}

/**
 * A fake Vertex AI on 127.0.0.1 with its own OAuth token endpoint:
 * - `POST /token`: the JWT-bearer grant; the assertion's RS256 signature is verified with
 *   `publicKey`, and iss, aud (the token URI), scope and expiry are checked (400 invalid_grant
 *   otherwise, as Google answers); issues an access token valid one hour;
 * - `POST /v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent`
 *   (`:streamGenerateContent?alt=sse`) answered by a fake Gemini, and
 *   `.../publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`) answered by a fake
 *   Anthropic after checking Vertex's body rules (`anthropic_version: vertex-2023-10-16`, no
 *   `model`). Model calls need `Authorization: Bearer <issued token>` (401 UNAUTHENTICATED).
 * Knobs through the model name as in the Gemini and Anthropic fakes.
 */
export async function startFakeVertex(opts: FakeVertexOptions): Promise<FakeVertex> {
  const backends = await startBackends(opts);
  const issued: string[] = [];
  let tokenUri = '';
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, json } = ctx;
    if (req.method === 'POST' && record.path === '/token') {
      const form = new URLSearchParams(record.rawBody.toString('utf8'));
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return oauthError(ctx, 'unsupported_grant_type', 'Invalid grant_type');
      const assertion = form.get('assertion') ?? '';
      try {
        const { payload } = await jwtVerify(assertion, opts.publicKey, { algorithms: ['RS256'], issuer: opts.clientEmail, audience: tokenUri });
        if (typeof payload.scope !== 'string' || !payload.scope.split(' ').includes(SCOPE)) return oauthError(ctx, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
      } catch {
        return oauthError(ctx, 'invalid_grant', 'Invalid JWT Signature.');
      }
      const token = `ya29.fake-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
      issued.push(token);
      return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(generateContent|streamGenerateContent|rawPredict|streamRawPredict)$/.exec(record.path);
    if (req.method !== 'POST' || !m) return json(404, geminiError(404, `fake Vertex: no route for ${req.method} ${record.path}`));
    const [, project, region, publisher, model, action] = m;
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !issued.includes(auth.slice(7))) {
      return json(401, geminiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'));
    }
    if (project !== opts.projectId) return json(403, geminiError(403, `Permission denied on resource project ${project}.`));
    if (region !== opts.region) return json(404, geminiError(404, `Publisher model not found in location ${region}.`));
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    if (publisher === 'google') {
      if (action !== 'generateContent' && action !== 'streamGenerateContent') return json(400, geminiError(400, `${action} is not served by publisher google`));
      const query = action === 'streamGenerateContent' ? `?alt=${record.query.alt ?? ''}` : '';
      return forwardTo(ctx, backends.gemini.url, `/v1beta/models/${model}:${action}${query}`, { 'x-goog-api-key': backends.key }, body);
    }
    if (action !== 'rawPredict' && action !== 'streamRawPredict') return json(400, geminiError(400, `${action} is not served by publisher anthropic`));
    if ('model' in body) return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'model: Extra inputs are not permitted' } });
    if (body.anthropic_version !== 'vertex-2023-10-16') return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic_version: Input should be vertex-2023-10-16' } });
    if ((action === 'streamRawPredict') !== (body.stream === true)) return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'stream must be true exactly for streamRawPredict' } });
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { anthropic_version, ...rest } = body;
    return forwardTo(ctx, backends.anthropic.url, '/v1/messages', { 'x-api-key': backends.key, 'anthropic-version': '2023-06-01' }, { model, ...rest });
  });
  tokenUri = `${server.url}/token`;
  return {
    ...server,
    tokenUri,
    issued,
    close: async () => {
      await server.close();
      await backends.close();
    },
  };
}
