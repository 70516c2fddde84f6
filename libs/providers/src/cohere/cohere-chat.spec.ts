import { newStreamState } from '../native/openai-chunks';
import { cohereUsage, fromCohereChatResponse, toCohereChatRequest } from './cohere-chat';
import { convertCohereStreamEvent } from './cohere-stream';

const ctx = { requestModel: 'my-command', upstreamModel: 'command-r-08-2024' };

describe('Cohere v2 chat conversion', () => {
  it('maps messages, tool turns, sampling fields, tools, tool_choice and response_format', () => {
    const out = toCohereChatRequest(
      {
        model: 'my-command',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://x/cat.png' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        ],
        tools: [
          { type: 'function', function: { name: 'get_weather', description: 'd', parameters: { type: 'object' } } },
          { type: 'function', function: { name: 'get_time' } },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        max_completion_tokens: 64,
        top_p: 0.5,
        stop: 'END',
        seed: 3,
        response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
        stream: true,
        user: 'dropped',
      },
      ctx,
    );
    expect(out).toEqual({
      model: 'command-r-08-2024',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://x/cat.png' } }] },
        { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'd', parameters: { type: 'object' } } }],
      tool_choice: 'REQUIRED',
      max_tokens: 64,
      p: 0.5,
      stop_sequences: ['END'],
      seed: 3,
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
    });
  });

  it('answers 400 naming n when more than one choice is asked (Cohere returns one)', () => {
    expect(() => toCohereChatRequest({ messages: [{ role: 'user', content: 'x' }], n: 2 }, ctx)).toThrow(expect.objectContaining({ param: 'n' }) as unknown as Error);
  });

  it('bills billed_units (what Cohere charges), falling back to tokens', () => {
    expect(cohereUsage({ billed_units: { input_tokens: 10, output_tokens: 5 }, tokens: { input_tokens: 17, output_tokens: 5 } })).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(cohereUsage({ tokens: { input_tokens: 17, output_tokens: 5 } })).toEqual({ prompt_tokens: 17, completion_tokens: 5, total_tokens: 22 });
  });

  it('converts a tool-call reply', () => {
    const r = fromCohereChatResponse(
      { id: 'x', finish_reason: 'TOOL_CALL', message: { role: 'assistant', tool_plan: 'plan', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, usage: { billed_units: { input_tokens: 3, output_tokens: 4 } } },
      ctx,
    );
    expect(r.body).toMatchObject({ model: 'my-command', choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] });
    expect(r.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('streams: role, content, tool call start/delta at a stable index, then finish + usage and done at message-end', () => {
    const state = newStreamState(ctx);
    const run = (type: string, data: Record<string, unknown>) => convertCohereStreamEvent({ event: type, data: JSON.stringify({ type, ...data }) }, state);
    expect(run('message-start', { id: 'm' }).chunks[0]).toMatchObject({ choices: [{ delta: { role: 'assistant' } }] });
    expect(run('content-delta', { index: 0, delta: { message: { content: { text: 'hi' } } } }).chunks[0]).toMatchObject({ choices: [{ delta: { content: 'hi' } }] });
    expect(run('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: 't1', type: 'function', function: { name: 'f', arguments: '' } } } } }).chunks[0]).toMatchObject({
      choices: [{ delta: { tool_calls: [{ index: 0, id: 't1', function: { name: 'f' } }] } }],
    });
    expect(run('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: '{"a":1}' } } } } }).chunks[0]).toMatchObject({
      choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] } }],
    });
    const end = run('message-end', { delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 9, output_tokens: 2 } } } });
    expect(end.done).toBe(true);
    expect(end.chunks).toMatchObject([{ choices: [{ finish_reason: 'tool_calls' }] }, { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } }]);
    expect(state.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });
});
