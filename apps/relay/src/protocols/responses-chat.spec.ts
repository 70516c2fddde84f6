import { RelayException } from '../errors/relay.exception';
import { chatToResponse, newFrame, responsesIgnored, responsesToChat, ResponsesStreamWriter } from './responses-chat';

type Json = Record<string, unknown>;

function events(sse: string): Json[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      const data = JSON.parse(dataLine.slice('data: '.length)) as Json;
      expect(eventLine).toBe(`event: ${String(data.type)}`);
      return data;
    });
}

function refusal(fn: () => unknown): RelayException {
  try {
    fn();
  } catch (error) {
    if (error instanceof RelayException) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('Responses → chat request', () => {
  it('converts instructions, every input item kind, tools, tool_choice, text.format, reasoning and limits', () => {
    const chat = responsesToChat(
      {
        model: 'm',
        instructions: 'sys',
        input: [
          { role: 'developer', content: [{ type: 'input_text', text: 'dev' }] },
          { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }, { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' }] },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling' }] },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
          { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'one' },
          { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        ],
        tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'f' },
        parallel_tool_calls: false,
        text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
        reasoning: { effort: 'low' },
        max_output_tokens: 50,
        temperature: 0.2,
        top_p: 0.9,
        metadata: { k: 'v' },
        store: false,
        stream: true,
      },
      'upstream-m',
      'DeepSeek',
    );
    expect(chat).toEqual({
      model: 'upstream-m',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'system', content: 'dev' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
          ],
        },
        {
          role: 'assistant',
          content: 'calling',
          reasoning_content: 'thinking',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'one' },
        { role: 'tool', tool_call_id: 'c2', content: 'two' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'low',
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { k: 'v' },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    [{ previous_response_id: 'resp_1' }, 'previous_response_id', 'keeps no state'],
    [{ tools: [{ type: 'file_search', vector_store_ids: ['v'] }] }, 'tools[0].type', 'file_search'],
    [{ tool_choice: { type: 'web_search' } }, 'tool_choice', 'web_search'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]', 'item_reference'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }, 'input[0].content[0]', 'file_id'],
    [{ conversation: 'conv_1' }, 'conversation', 'stored'],
    [{ frobnicate: true }, 'frobnicate', 'Unrecognized'],
    [{ top_logprobs: 3 }, 'top_logprobs', 'top_logprobs'],
    [{ include: ['message.output_text.logprobs'] }, 'include', 'logprobs'],
    [{ include: ['no.such.include'] }, 'include', 'no.such.include'],
    [{ truncation: 'auto' }, 'truncation', 'cannot drop input items'],
    [{ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'data:image/png;base64,AA' }] }] }, 'input[1].output[0]', 'input_image'],
  ])('refuses %j with a 400 naming %s', (extra, param, words) => {
    const e = refusal(() => responsesToChat({ model: 'm', input: 'x', ...extra }, 'm', 'DeepSeek'));
    expect(e.param).toBe(param);
    expect(e.message).toContain(words);
  });

  it('truncation "disabled" and no-op includes are accepted; prompt_cache_key goes along on OpenAI wire only, named as ignored elsewhere', () => {
    const body = { model: 'm', input: 'x', truncation: 'disabled', include: ['reasoning.encrypted_content', 'file_search_call.results'], prompt_cache_key: 'k' };
    expect(responsesToChat(body, 'm', 'DeepSeek', true)).toMatchObject({ prompt_cache_key: 'k' });
    expect(responsesToChat(body, 'm', 'Anthropic', false)).not.toHaveProperty('prompt_cache_key');
    expect(responsesIgnored(body, true)).toEqual(['include[reasoning.encrypted_content]']);
    expect(responsesIgnored(body, false)).toEqual(['include[reasoning.encrypted_content]', 'prompt_cache_key']);
    expect(responsesIgnored({ model: 'm', input: 'x' }, false)).toEqual([]);
  });

  it('leaves structured output and reasoning effort to the adapter; refuses verbosity off OpenAI wire', () => {
    expect(responsesToChat({ model: 'm', input: 'x', text: { format: { type: 'json_object' } }, reasoning: { effort: 'high' } }, 'm', 'Anthropic', false)).toMatchObject({
      response_format: { type: 'json_object' },
      reasoning_effort: 'high',
    });
    expect(refusal(() => responsesToChat({ model: 'm', input: 'x', text: { verbosity: 'low' } }, 'm', 'Anthropic', false)).param).toBe('text.verbosity');
    expect(responsesToChat({ model: 'm', input: 'x', text: { format: { type: 'text' } } }, 'm', 'Anthropic', false)).not.toHaveProperty('response_format');
  });
});

describe('chat → Response', () => {
  it('reasoning, message and function_call items; usage with cached and reasoning tokens; status from finish_reason', () => {
    const r = chatToResponse(
      {
        choices: [{ message: { role: 'assistant', content: 'hi', reasoning_content: 'hmm', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'length' }],
        usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 3 } },
      },
      newFrame({ instructions: 'sys' }, 'asked-model'),
    );
    expect(r).toMatchObject({
      object: 'response',
      model: 'asked-model',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      instructions: 'sys',
      output: [
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'hmm' }] },
        { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hi' }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
      ],
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 4 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 19 },
    });
    expect(String(r.id)).toMatch(/^resp_/);
  });

  it('reasoning.summary: the chat reply’s reasoning comes back as a summarised reasoning item, and the Response echoes the setting', () => {
    const r = chatToResponse(
      { choices: [{ message: { role: 'assistant', reasoning_content: 'thought', content: 'hi' }, finish_reason: 'stop' }] },
      newFrame({ reasoning: { effort: 'low', summary: 'detailed' }, truncation: 'disabled', tools: [{ type: 'function', name: 'f' }], temperature: 0.2 }, 'm'),
    );
    expect(r.output).toMatchObject([{ type: 'reasoning', summary: [{ type: 'summary_text', text: 'thought' }] }, { type: 'message' }]);
    expect(r).toMatchObject({ reasoning: { effort: 'low', summary: 'detailed' }, truncation: 'disabled', tools: [{ type: 'function', name: 'f' }], temperature: 0.2 });
  });
});

describe('chat chunks → Responses events', () => {
  it('emits reasoning, text and two function calls in OpenAI order, numbered, ending in response.completed', () => {
    const w = new ResponsesStreamWriter(newFrame({}, 'm'));
    let sse = '';
    const chunk = (delta: Json, finish: string | null = null, usage?: Json) => {
      sse += w.chunk({ choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) });
    };
    chunk({ role: 'assistant', reasoning_content: 'th' });
    chunk({ reasoning_content: 'ink' });
    chunk({ content: 'Hel' });
    chunk({ content: 'lo' });
    chunk({ tool_calls: [{ index: 0, id: 'c0', type: 'function', function: { name: 'f', arguments: '' } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] });
    chunk({ tool_calls: [{ index: 1, id: 'c1', type: 'function', function: { name: 'g', arguments: '{}' } }] });
    chunk({}, 'tool_calls');
    chunk({}, null, { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 });
    sse += w.end();
    const evs = events(sse);
    expect(evs.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
    const done = evs[evs.length - 1].response as Json;
    expect(done).toMatchObject({
      status: 'completed',
      output: [
        { type: 'reasoning', summary: [{ text: 'think' }] },
        { type: 'message', content: [{ type: 'output_text', text: 'Hello' }] },
        { type: 'function_call', call_id: 'c0', name: 'f', arguments: '{"a":1}', status: 'completed' },
        { type: 'function_call', call_id: 'c1', name: 'g', arguments: '{}', status: 'completed' },
      ],
      usage: { input_tokens: 3, output_tokens: 9, total_tokens: 12 },
    });
    expect(evs[2]).toMatchObject({ output_index: 0, item: { type: 'reasoning' } });
    expect(evs[16]).toMatchObject({ output_index: 2, item: { type: 'function_call', name: 'f', call_id: 'c0' } });
  });

  it('a length finish ends in response.incomplete; an abnormal end is one error event and nothing after it', () => {
    const w = new ResponsesStreamWriter(newFrame({}, 'm'));
    const evs = events(w.chunk({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'length' }] }) + w.end());
    expect(evs[evs.length - 1]).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    const cut = new ResponsesStreamWriter(newFrame({}, 'm'));
    const out = events(cut.chunk({ choices: [{ index: 0, delta: { content: 'x' } }] }) + cut.error('upstream_reset', 'the upstream connection broke off'));
    expect(out[out.length - 1]).toMatchObject({ type: 'error', code: 'upstream_reset', message: 'the upstream connection broke off', sequence_number: out.length - 1 });
    expect(cut.end()).toBe('');
  });
});
