import { newStreamState } from '../native/openai-chunks';
import { fromTencentChatResponse, tencentCredentials, toTencentChatRequest } from './tencent-chat';
import { convertTencentStreamEvent } from './tencent-stream';
import { TencentAdapter } from './tencent.adapter';

const ctx = { requestModel: 'hy', upstreamModel: 'hunyuan-pro' };

describe('Tencent Hunyuan conversion and signing', () => {
  it('converts roles, tool turns and tools (schemas as JSON strings); a named tool_choice is custom', () => {
    const out = toTencentChatRequest(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        stream: true,
        temperature: 0.5,
      },
      ctx,
    );
    expect(out).toEqual({
      Model: 'hunyuan-pro',
      Stream: true,
      Temperature: 0.5,
      Messages: [
        { Role: 'system', Content: 'Be brief.' },
        { Role: 'user', Content: 'Weather?' },
        { Role: 'assistant', ToolCalls: [{ Id: 'c1', Type: 'function', Function: { Name: 'get_weather', Arguments: '{"city":"Paris"}' } }] },
        { Role: 'tool', Content: 'sunny', ToolCallId: 'c1' },
      ],
      Tools: [{ Type: 'function', Function: { Name: 'get_weather', Parameters: '{"type":"object"}' } }],
      ToolChoice: 'custom',
      CustomTool: { Type: 'function', Function: { Name: 'get_weather', Parameters: '{"type":"object"}' } },
    });
  });

  it('maps Response.Error codes (HTTP 200) to the status they stand for', () => {
    const err = (Code: string) => {
      try {
        fromTencentChatResponse({ Response: { Error: { Code, Message: 'm' } } }, ctx);
      } catch (e) {
        return (e as { status?: number }).status;
      }
      return undefined;
    };
    expect([err('AuthFailure.SignatureFailure'), err('RequestLimitExceeded'), err('UnknownParameter'), err('InternalError')]).toEqual([401, 429, 400, 500]);
  });

  it('streams tool calls opened by Id and continued by Index, then finish and usage', () => {
    const state = newStreamState(ctx);
    const ev = (Delta: object, FinishReason = '') => convertTencentStreamEvent({ data: JSON.stringify({ Choices: [{ Delta, FinishReason }], Usage: { PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7 } }) }, state);
    ev({ ToolCalls: [{ Id: 't1', Index: 0, Function: { Name: 'f', Arguments: '{"a":' } }] });
    const more = ev({ ToolCalls: [{ Index: 0, Function: { Arguments: '1}' } }] });
    expect(more.chunks[0]).toMatchObject({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }] });
    const end = ev({ Content: '' }, 'tool_calls');
    expect(end.done).toBe(true);
    expect(end.chunks).toMatchObject([{ choices: [{ finish_reason: 'tool_calls' }] }, { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } }]);
  });

  it('signs with TC3 over host, action, timestamp and body (credential scope date from the timestamp)', async () => {
    const adapter = new TencentAdapter([], () => Date.UTC(2024, 0, 15, 10, 0, 0));
    const ch = { id: 1, type: 23, key: '125|AKIDexample|secret', config: {} };
    expect(tencentCredentials(ch)).toEqual({ secretId: 'AKIDexample', secretKey: 'secret' });
    const { headers } = await adapter.authorize(ch, { url: 'https://hunyuan.tencentcloudapi.com/', method: 'POST', headers: adapter.requestHeaders(ch, 'chat', {}), body: '{"Model":"m"}' }, { post: () => Promise.reject(new Error('no http')) });
    expect(headers).toMatchObject({ host: 'hunyuan.tencentcloudapi.com', 'x-tc-action': 'ChatCompletions', 'x-tc-version': '2023-09-01', 'x-tc-timestamp': '1705312800' });
    expect(headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDexample\/2024-01-15\/hunyuan\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=[0-9a-f]{64}$/);
  });
});
