import { randomBytes } from 'node:crypto';
import { sendJson, startHttpFake, type RunningFake } from './http-fake';

export interface WeChatServerFake extends RunningFake {
  token: string;
  /** Registers a one-time verification code that resolves to this WeChat id (openid). */
  issueCode(wechatId: string): string;
}

/**
 * The WeChat Server (songquanpeng/wechat-server) One API logs in through:
 * `GET /api/wechat/user?code=` with `Authorization: <token>` → `{success, message, data: <wechat id>}`.
 */
export async function startWeChatServerFake(opts: { token?: string } = {}): Promise<WeChatServerFake> {
  const token = opts.token ?? 'fake-wechat-token';
  const codes = new Map<string, string>();
  const fake = await startHttpFake((req, res) => {
    if (req.method !== 'GET' || req.path !== '/api/wechat/user') return sendJson(res, 404, { success: false, message: 'not found' });
    if (req.headers.authorization !== token) return sendJson(res, 200, { success: false, message: 'unauthorized' });
    const code = req.query.get('code') ?? '';
    const id = codes.get(code);
    if (!id) return sendJson(res, 200, { success: false, message: 'invalid or expired code' });
    codes.delete(code);
    sendJson(res, 200, { success: true, message: '', data: id });
  });
  return {
    ...fake,
    token,
    issueCode(wechatId) {
      const code = randomBytes(3).toString('hex');
      codes.set(code, wechatId);
      return code;
    },
  };
}
