import { UnsupportedParameterError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_RESPONSE_TOOL, fromAnthropicResponse, toAnthropicRequest } from './anthropic-chat';
import { convertAnthropicStreamEvent } from './anthropic-stream';

const ctx = { requestModel: 'claude-client', upstreamModel: 'claude-sonnet-4-20250514' };
const user = [{ role: 'user', content: 'hi' }];
const PDF = 'JVBERi0xLjQK';

/** The error `toAnthropicRequest` throws for `body`, or undefined. */
function refusal(body: Record<string, unknown>): UnsupportedParameterError | undefined {
  try {
    toAnthropicRequest({ model: 'm', messages: user, ...body }, ctx);
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return error;
    throw error;
  }
}

describe('toAnthropicRequest: nothing dropped silently', () => {
  it('response_format json_schema → a forced tool whose input_schema is the schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const out = toAnthropicRequest({ model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } } }, ctx);
    expect(out.tools).toEqual([{ name: ANTHROPIC_RESPONSE_TOOL, description: expect.stringContaining('place'), input_schema: schema }]);
    expect(out.tool_choice).toEqual({ type: 'tool', name: ANTHROPIC_RESPONSE_TOOL });
  });

  it('response_format json_object → a forced tool taking any object; text → nothing', () => {
    const out = toAnthropicRequest({ model: 'm', messages: user, response_format: { type: 'json_object' } }, ctx);
    expect(out.tools?.[0]).toMatchObject({ name: ANTHROPIC_RESPONSE_TOOL, input_schema: { type: 'object' } });
    expect(toAnthropicRequest({ model: 'm', messages: user, response_format: { type: 'text' } }, ctx).tools).toBeUndefined();
  });

  it('response_format with the client’s own tools → 400 naming response_format', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    expect(refusal({ tools, response_format: { type: 'json_object' } })).toMatchObject({ param: 'response_format' });
  });

  it.each([
    ['low', 1024],
    ['medium', 4096],
    ['high', 16384],
  ])('reasoning_effort %s → thinking with budget %i, added to max_tokens', (effort, budget) => {
    const out = toAnthropicRequest({ model: 'm', messages: user, reasoning_effort: effort, max_tokens: 1000 }, ctx);
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(out.max_tokens).toBe(1000 + budget);
    expect(toAnthropicRequest({ model: 'm', messages: user, reasoning_effort: effort }, ctx).max_tokens).toBe(ANTHROPIC_DEFAULT_MAX_TOKENS + budget);
  });

  it('reasoning_effort minimal asks for no thinking; an unknown value is refused', () => {
    expect(toAnthropicRequest({ model: 'm', messages: user, reasoning_effort: 'minimal' }, ctx).thinking).toBeUndefined();
    expect(refusal({ reasoning_effort: 'extreme' })).toMatchObject({ param: 'reasoning_effort' });
  });

  it.each([
    [{ temperature: 0.2 }, 'temperature'],
    [{ top_k: 5 }, 'top_k'],
    [{ top_p: 0.5 }, 'top_p'],
    [{ response_format: { type: 'json_object' } }, 'response_format'],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }, 'tool_choice'],
  ])('reasoning_effort with %j → 400 naming %s (thinking constraints)', (extra, param) => {
    expect(refusal({ reasoning_effort: 'low', ...extra })).toMatchObject({ param });
    expect(toAnthropicRequest({ model: 'm', messages: user, reasoning_effort: 'low', temperature: 1, top_p: 0.95 }, ctx).thinking).toBeDefined();
  });

  it('n > 1 and logprobs → 400 naming them; n = 1 passes', () => {
    expect(refusal({ n: 2 })).toMatchObject({ param: 'n' });
    expect(refusal({ logprobs: true })).toMatchObject({ param: 'logprobs' });
    expect(refusal({ n: 1 })).toBeUndefined();
  });

  it('penalties and logit_bias: their no-op values pass, others → 400 naming them', () => {
    expect(refusal({ presence_penalty: 0, frequency_penalty: 0, logit_bias: {} })).toBeUndefined();
    expect(refusal({ presence_penalty: 0.5 })).toMatchObject({ param: 'presence_penalty' });
    expect(refusal({ frequency_penalty: -1 })).toMatchObject({ param: 'frequency_penalty' });
    expect(refusal({ logit_bias: { '50256': -100 } })).toMatchObject({ param: 'logit_bias' });
  });

  it('a PDF file part → a document block', () => {
    const out = toAnthropicRequest(
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'sum up' }, { type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF}` } }] }] },
      ctx,
    );
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: 'sum up' },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
    ]);
  });

  it.each([
    [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }, 'audio'],
    [{ type: 'file', file: { file_data: 'data:text/csv;base64,YSxi' } }, 'PDF files only'],
    [{ type: 'file', file: { file_id: 'file-abc' } }, 'file ids'],
  ])('%j → 400 naming the part', (part, text) => {
    const e = refusal({ messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: [{ type: 'text', text: 'x' }, part] }] });
    expect(e?.param).toBe('messages[2].content[1]');
    expect(e?.message).toContain(text);
  });
});

describe('Anthropic replies to a response_format request', () => {
  it('JSON: the response tool input becomes the message content, finish stop', () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'tool_use', id: 'toolu_1', name: ANTHROPIC_RESPONSE_TOOL, input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 5 },
    };
    const { body: out } = fromAnthropicResponse(body, ctx);
    expect(out.choices).toEqual([{ index: 0, message: { role: 'assistant', content: '{"city":"Paris"}' }, logprobs: null, finish_reason: 'stop' }]);
  });

  it('stream: the response tool input deltas arrive as content, finish stop', () => {
    const state = newStreamState(ctx, 1_750_000_000_000);
    const ev = (type: string, payload: Record<string, unknown>) => convertAnthropicStreamEvent({ event: type, data: JSON.stringify({ type, ...payload }) }, state).chunks;
    const out = [
      ...ev('message_start', { message: { usage: { input_tokens: 10, output_tokens: 1 } } }),
      ...ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: ANTHROPIC_RESPONSE_TOOL, input: {} } }),
      ...ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
      ...ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
      ...ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } }),
    ] as { choices: { delta: { content?: string; tool_calls?: unknown }; finish_reason: string | null }[] }[];
    expect(out.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('{"city":"Paris"}');
    expect(out.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(out.at(-1)?.choices[0].finish_reason).toBe('stop');
  });

  it('stream cut short after message_start: the usage Anthropic reported is kept', () => {
    const state = newStreamState(ctx, 1_750_000_000_000);
    convertAnthropicStreamEvent({ event: 'message_start', data: JSON.stringify({ type: 'message_start', message: { usage: { input_tokens: 321, cache_read_input_tokens: 0, output_tokens: 1 } } }) }, state);
    expect(state.reportedUsage).toEqual({ prompt_tokens: 321, completion_tokens: 1, total_tokens: 322 });
    expect(state.usage).toBeUndefined();
  });
});
