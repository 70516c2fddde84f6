import { randomBytes } from 'node:crypto';
import { sendJson, startHttpFake, type RunningFake } from './http-fake';

export interface GitHubFakeUser {
  login: string;
  name?: string;
  email?: string;
}

export interface GitHubFake extends RunningFake {
  clientId: string;
  clientSecret: string;
  /** Registers a one-time authorization code that signs in as this GitHub user. */
  issueCode(user: GitHubFakeUser): string;
}

/**
 * GitHub's OAuth web flow and REST API, as far as One API uses them: `POST /login/oauth/access_token`
 * (JSON `{client_id, client_secret, code}` → `{access_token}`) and `GET /user` with
 * `Authorization: Bearer`. Point both GITHUB_OAUTH_URL and GITHUB_API_URL at `url`.
 */
export async function startGitHubFake(opts: { clientId?: string; clientSecret?: string } = {}): Promise<GitHubFake> {
  const clientId = opts.clientId ?? 'fake-github-client';
  const clientSecret = opts.clientSecret ?? 'fake-github-secret';
  const codes = new Map<string, GitHubFakeUser>();
  const tokens = new Map<string, GitHubFakeUser>();
  const fake = await startHttpFake((req, res) => {
    if (req.method === 'POST' && req.path === '/login/oauth/access_token') {
      let body: Record<string, string> = {};
      try {
        body = req.headers['content-type']?.includes('json') ? JSON.parse(req.body) : Object.fromEntries(new URLSearchParams(req.body));
      } catch {
        return sendJson(res, 400, { error: 'bad_request' });
      }
      if (body['client_id'] !== clientId || body['client_secret'] !== clientSecret) return sendJson(res, 200, { error: 'incorrect_client_credentials' });
      const user = codes.get(body['code'] ?? '');
      if (!user) return sendJson(res, 200, { error: 'bad_verification_code' });
      codes.delete(body['code'] ?? '');
      const token = `gho_${randomBytes(12).toString('hex')}`;
      tokens.set(token, user);
      return sendJson(res, 200, { access_token: token, token_type: 'bearer', scope: '' });
    }
    if (req.method === 'GET' && req.path === '/user') {
      const token = (req.headers.authorization ?? '').replace(/^(Bearer|token)\s+/i, '');
      const user = tokens.get(token);
      if (!user) return sendJson(res, 401, { message: 'Bad credentials' });
      return sendJson(res, 200, { login: user.login, id: 1, name: user.name ?? null, email: user.email ?? null });
    }
    sendJson(res, 404, { message: 'Not Found' });
  });
  return {
    ...fake,
    clientId,
    clientSecret,
    issueCode(user) {
      const code = randomBytes(8).toString('hex');
      codes.set(code, user);
      return code;
    },
  };
}
