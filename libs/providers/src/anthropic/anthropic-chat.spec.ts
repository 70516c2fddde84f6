import { ChannelType } from '@oneapi/domain';
import type { ChannelContext } from '../adapter.types';
import { AdapterNotImplementedError } from '../errors';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropicErrorToOpenAI, fromAnthropicResponse, toAnthropicRequest } from './anthropic-chat';
import { AnthropicAdapter } from './anthropic.adapter';

const ctx = { requestModel: 'claude-client', upstreamModel: 'claude-3-5-haiku-20241022' };
const ch = (baseUrl = ''): ChannelContext => ({ id: 3, type: ChannelType.Anthropic, key: 'sk-ant-k', baseUrl, config: {} });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('AnthropicAdapter URL and headers', () => {
  const a = new AnthropicAdapter([]);

  it('posts to {base}/v1/messages (default base api.anthropic.com)', () => {
    expect(a.requestUrl(ch(), 'chat', 'claude-3-5-haiku-20241022')).toBe('https://api.anthropic.com/v1/messages');
    expect(a.requestUrl(ch('http://127.0.0.1:9/'), 'chat', 'm')).toBe('http://127.0.0.1:9/v1/messages');
  });

  it('sends x-api-key and anthropic-version, never a Bearer header', () => {
    const h = a.requestHeaders(ch(), 'chat', { accept: 'text/event-stream', contentType: 'application/json; charset=utf-8' });
    expect(h).toEqual({ 'Content-Type': 'application/json', Accept: 'text/event-stream', 'x-api-key': 'sk-ant-k', 'anthropic-version': '2023-06-01' });
  });

  it('adds the 8k-output beta header for Claude 3.5 Sonnet only', () => {
    expect(a.requestHeaders(ch(), 'chat', {}, { model: 'claude-3-5-sonnet-20240620' })['anthropic-beta']).toBe('max-tokens-3-5-sonnet-2024-07-15');
    expect(a.requestHeaders(ch(), 'chat', {}, { model: 'claude-sonnet-4-20250514' })['anthropic-beta']).toBeUndefined();
  });

  it('declares chat only: other modes are 501', () => {
    expect(() => a.requestUrl(ch(), 'embeddings', 'm')).toThrow(AdapterNotImplementedError);
    expect(() => a.convertRequest('completions', {}, ctx)).toThrow(AdapterNotImplementedError);
    expect(a.acceptsStreamOptions(ch())).toBe(false);
  });
});

describe('toAnthropicRequest', () => {
  it('moves system messages to `system`, defaults max_tokens and maps sampling and stop', () => {
    const out = toAnthropicRequest(
      {
        model: 'claude-3-5-haiku-20241022',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 0.3,
        top_p: 0.9,
        stop: 'END',
        stream: true,
        user: 'u-7',
        stream_options: { include_usage: true },
        frequency_penalty: 0,
      },
      ctx,
    );
    expect(out).toEqual({
      model: 'claude-3-5-haiku-20241022',
      system: 'Be brief.\n\nAnswer in French.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'u-7' },
    });
  });

  it('keeps the client max_tokens (or max_completion_tokens) and a stop list', () => {
    expect(toAnthropicRequest({ model: 'm', messages: [], max_tokens: 77, stop: ['a', 'b'] }, ctx)).toMatchObject({ max_tokens: 77, stop_sequences: ['a', 'b'] });
    expect(toAnthropicRequest({ model: 'm', messages: [], max_completion_tokens: 55 }, ctx).max_tokens).toBe(55);
  });

  it('converts images: data URLs to base64 sources, http URLs to url sources', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            ],
          },
        ],
      },
      ctx,
    );
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('converts tools, tool_choice, assistant tool_calls and tool results (merged into one user turn)', () => {
    const out = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '{"temp":21}' },
          { role: 'tool', tool_call_id: 'toolu_2', content: '12:00' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [
          { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
          { type: 'function', function: { name: 'get_time' } },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
      ctx,
    );
    expect(out.tools).toEqual([
      { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(out.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '{"temp":21}' }] },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '12:00' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    [{ type: 'function', function: { name: 'f' } }, { type: 'tool', name: 'f' }],
  ] as const)('tool_choice %j → %j', (choice, expected) => {
    const out = toAnthropicRequest({ model: 'm', messages: [], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice }, ctx);
    expect(out.tool_choice).toEqual(expected);
  });

  it('drops empty assistant text (Anthropic rejects empty text blocks)', () => {
    const out = toAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }, { role: 'user', content: 'b' }] }, ctx);
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });
});

describe('fromAnthropicResponse', () => {
  const NOW = 1_750_000_000_000;

  it('maps text, stop_reason and usage (cache tokens counted as prompt)', () => {
    const out = fromAnthropicResponse(
      {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-3-5-haiku-20241022',
        content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: ' there' }],
        stop_reason: 'max_tokens',
        usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 0 },
      },
      ctx,
      NOW,
    );
    expect(out.usage).toEqual({ prompt_tokens: 15, completion_tokens: 5, total_tokens: 20 });
    expect(out.body).toEqual({
      id: 'chatcmpl-msg_01',
      object: 'chat.completion',
      created: NOW / 1000,
      model: 'claude-client',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 15, completion_tokens: 5, total_tokens: 20 },
    });
  });

  it('maps tool_use blocks to tool_calls (content null, finish tool_calls) and thinking to reasoning_content', () => {
    const out = fromAnthropicResponse(
      {
        id: 'msg_02',
        type: 'message',
        role: 'assistant',
        model: 'x',
        content: [
          { type: 'thinking', thinking: 'Need weather.', signature: 's' },
          { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_B', name: 'get_time', input: {} },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 2 },
      },
      ctx,
    );
    const choice = (out.body.choices as { message: Record<string, unknown>; finish_reason: string }[])[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: 'Need weather.',
      tool_calls: [
        { id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_B', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ],
    });
  });

  it('refuses error bodies and non-messages (the relay answers an upstream error)', () => {
    expect(() => fromAnthropicResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, ctx)).toThrow(/Overloaded/);
    expect(() => fromAnthropicResponse('nope', ctx)).toThrow();
  });

  it('converts Anthropic error bodies to the OpenAI error shape', () => {
    expect(anthropicErrorToOpenAI({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })).toEqual({
      error: { message: 'invalid x-api-key', type: 'authentication_error', param: null, code: 'authentication_error' },
    });
    expect(anthropicErrorToOpenAI({ id: 'msg' })).toBeUndefined();
  });
});
