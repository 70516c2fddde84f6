import { UnsupportedParameterError } from '../errors';
import { baiduAccessToken, clearBaiduTokenCache } from './baidu-auth';
import { newStreamState } from '../native/openai-chunks';
import { baiduChatEndpoint, fromBaiduChatResponse, toBaiduChatRequest } from './baidu-chat';
import { convertBaiduStreamEvent } from './baidu-stream';

const ctx = { requestModel: 'ERNIE-4.0-8K', upstreamModel: 'ERNIE-4.0-8K' };

describe('Baidu ERNIE v1 conversion', () => {
  it('maps model names to wenxinworkshop endpoints as One API does', () => {
    expect(baiduChatEndpoint('ERNIE-4.0-8K')).toBe('completions_pro');
    expect(baiduChatEndpoint('ERNIE-Speed-128K')).toBe('ernie-speed-128k');
    expect(baiduChatEndpoint('ERNIE-4.0-Turbo-8K')).toBe('ernie-4.0-turbo-8k');
  });

  it('puts system messages in `system`, keeps turns, clamps temperature into (0, 1]', () => {
    expect(
      toBaiduChatRequest({ model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], temperature: 0, max_tokens: 20, stream: true, user: 'u1', stop: 'END' }),
    ).toEqual({ system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], temperature: 0.01, max_output_tokens: 20, stream: true, user_id: 'u1', stop: ['END'] });
  });

  it('answers 400 naming what ERNIE v1 cannot take: tools, images, tool turns', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(() => toBaiduChatRequest({ messages: [{ role: 'user', content: 'x' }], tools })).toThrow(expect.objectContaining({ param: 'tools' }) as unknown as Error);
    expect(() => toBaiduChatRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] })).toThrow(UnsupportedParameterError);
    expect(() => toBaiduChatRequest({ messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }] })).toThrow(UnsupportedParameterError);
  });

  it('reads replies and refuses error bodies that come with HTTP 200', () => {
    expect(fromBaiduChatResponse({ result: 'ok', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }, ctx).usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(() => fromBaiduChatResponse({ error_code: 110, error_msg: 'Access token invalid or no longer valid' }, ctx)).toThrow(expect.objectContaining({ name: 'UpstreamReplyError', status: 401 }) as unknown as Error);
    expect(() => fromBaiduChatResponse({ error_code: 18, error_msg: 'Open api qps request limit reached' }, ctx)).toThrow(expect.objectContaining({ status: 429 }) as unknown as Error);
  });

  it('streams: role first, content, then finish and usage on is_end', () => {
    const state = newStreamState(ctx);
    const first = convertBaiduStreamEvent({ data: JSON.stringify({ result: 'a', is_end: false, usage: { prompt_tokens: 4, total_tokens: 5 } }) }, state);
    expect(first.chunks.map((c) => (c as { choices: { delta: unknown }[] }).choices[0].delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'a' }]);
    const last = convertBaiduStreamEvent({ data: JSON.stringify({ result: 'b', is_end: true, usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } }) }, state);
    expect(last.done).toBe(true);
    expect(last.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } });
  });
});

describe('Baidu access token cache', () => {
  it('exchanges once, reuses the token, and asks again after an hour even though Baidu grants 30 days', async () => {
    clearBaiduTokenCache();
    const calls: string[] = [];
    const http = { post: (url: string) => (calls.push(url), Promise.resolve({ status: 200, text: JSON.stringify({ access_token: `tok${calls.length}`, expires_in: 2_592_000 }) })) };
    const ch = { id: 1, type: 15, key: 'id|secret', config: {} };
    const t0 = 1_700_000_000_000;
    expect(await baiduAccessToken(ch, 'https://aip.example', http, t0)).toBe('tok1');
    expect(await baiduAccessToken(ch, 'https://aip.example', http, t0 + 59 * 60_000)).toBe('tok1');
    expect(await baiduAccessToken(ch, 'https://aip.example', http, t0 + 61 * 60_000)).toBe('tok2');
    expect(calls[0]).toBe('https://aip.example/oauth/2.0/token?grant_type=client_credentials&client_id=id&client_secret=secret');
  });
});
