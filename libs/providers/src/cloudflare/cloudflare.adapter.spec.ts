import { ChannelConfigError } from '../errors';
import { CloudflareAdapter } from './cloudflare.adapter';

const adapter = new CloudflareAdapter('Cloudflare Workers AI', 37, []);
const ch = (config: Record<string, string>, baseUrl = '') => ({ id: 3, type: 37, key: 'cf-token', baseUrl, config });

describe('Cloudflare Workers AI URLs', () => {
  it('puts the account id (config user_id, as One API stores it) in the OpenAI-compatible path', () => {
    expect(adapter.requestUrl(ch({ user_id: 'acct123' }), 'chat', '@cf/meta/llama-3.1-8b-instruct')).toBe('https://api.cloudflare.com/client/v4/accounts/acct123/ai/v1/chat/completions');
    expect(adapter.requestUrl(ch({ account_id: 'a2' }), 'embeddings', '@cf/baai/bge-base-en-v1.5')).toBe('https://api.cloudflare.com/client/v4/accounts/a2/ai/v1/embeddings');
    expect(adapter.requestHeaders(ch({ user_id: 'a' }), 'chat', {})).toMatchObject({ Authorization: 'Bearer cf-token' });
  });

  it('uses an AI Gateway workers-ai base as it is, and refuses a channel without account id', () => {
    const gw = 'https://gateway.ai.cloudflare.com/v1/acct/gw/workers-ai';
    expect(adapter.requestUrl(ch({}, gw), 'chat', 'm')).toBe(`${gw}/v1/chat/completions`);
    expect(() => adapter.requestUrl(ch({}), 'chat', 'm')).toThrow(ChannelConfigError);
  });
});
