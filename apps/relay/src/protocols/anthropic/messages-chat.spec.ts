import { RelayException } from '../../errors/relay.exception';
import type { ProtocolContext } from '../client-protocol';
import { chatMessagesOf, chatToMessage, messagesToChat, reasoningEffort } from './messages-chat';
import { messagesErrorBody } from './messages-errors';
import { MessagesEventReader, MessagesStreamWriter } from './messages-stream';

const ctx = (wireFormat: 'openai' | 'gemini' = 'openai', upstreamModel = 'gpt-x'): ProtocolContext => ({
  requestId: 'r1',
  requestModel: 'client-model',
  upstreamModel,
  promptTokens: 12,
  adapter: { name: wireFormat === 'openai' ? 'OpenAI' : 'Google Gemini', wireFormat },
});

/** The events of an SSE text, as [event, data]. */
function events(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter((b) => b !== '')
    .map((b) => {
      const [e, d] = b.split('\n');
      return [e.slice('event: '.length), JSON.parse(d.slice('data: '.length)) as Record<string, unknown>];
    });
}

describe('Messages → chat', () => {
  it('puts tool results first as tool messages, keeps tool_use as tool_calls and drops earlier thinking', () => {
    const messages = chatMessagesOf(
      {
        system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'text', text: 'calling' }, { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
          { role: 'user', content: [{ type: 'text', text: 'and' }, { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }] },
        ],
      },
      ctx(),
    );
    expect(messages).toEqual([
      { role: 'system', content: 'A\n\nB' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'calling', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'ok' },
      { role: 'user', content: 'and' },
    ]);
  });

  it('maps tools, tool_choice, stop sequences and metadata; top_k only off OpenAI’s wire', () => {
    const body = {
      model: 'client-model',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'f' },
      stop_sequences: ['x'],
      metadata: { user_id: 'u' },
      top_k: 4,
    };
    expect(() => messagesToChat(body, ctx())).toThrow(RelayException);
    expect(messagesToChat(body, ctx('gemini'))).toEqual({
      model: 'gpt-x',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      top_k: 4,
      stop: ['x'],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      user: 'u',
    });
  });

  it('refuses what chat cannot express, naming the parameter', () => {
    const base = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    const param = (body: Record<string, unknown>) => {
      try {
        messagesToChat(body, ctx());
      } catch (e) {
        return (e as RelayException).param;
      }
      return null;
    };
    expect(param({ ...base, mcp_servers: [] })).toBe('mcp_servers');
    expect(param({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] })).toBe('tools.0');
    expect(param({ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', data: 'x' } }] }] })).toBe('messages.0.content.0.type');
    expect(param({ ...base, output_config: { format: { type: 'xml' } } })).toBe('output_config.format');
    expect(param(base)).toBeNull();
  });

  it('turns a thinking budget into a reasoning effort on reasoning models only', () => {
    expect([1024, 4096, 16384].map(reasoningEffort)).toEqual(['low', 'medium', 'high']);
    const body = { model: 'm', max_tokens: 9000, thinking: { type: 'enabled', budget_tokens: 5000 }, messages: [{ role: 'user', content: 'hi' }] };
    expect(messagesToChat(body, ctx('openai', 'o4-mini')).reasoning_effort).toBe('medium');
    expect(messagesToChat(body, ctx('openai', 'gpt-4o')).reasoning_effort).toBeUndefined();
    expect(messagesToChat(body, ctx('gemini', 'gemini-2.5-pro')).reasoning_effort).toBe('medium');
  });
});

describe('chat → Messages', () => {
  it('a chat completion becomes a Message: thinking, text, tool_use; cached prompt tokens apart', () => {
    const msg = chatToMessage(
      {
        choices: [{ message: { content: 'x', reasoning_content: 'why', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"a":2}' } }] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 30, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 20 } },
      },
      ctx(),
    );
    expect(msg).toMatchObject({
      type: 'message',
      model: 'client-model',
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'why' },
        { type: 'text', text: 'x' },
        { type: 'tool_use', id: 'c1', name: 'f', input: { a: 2 } },
      ],
      usage: { input_tokens: 10, cache_read_input_tokens: 20, cache_creation_input_tokens: 0, output_tokens: 4 },
    });
  });

  it('streams Anthropic’s sequence: one block at a time, thinking before text before tools, usage at the end', () => {
    const w = new MessagesStreamWriter(ctx());
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });
    let out = w.chunk(chunk({ role: 'assistant', reasoning_content: 'hm' }));
    out += w.chunk(chunk({ content: 'Hi' }));
    out += w.chunk(chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] }));
    out += w.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }));
    out += w.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, 'tool_calls'));
    out += w.chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 7 } });
    out += w.end();
    const ev = events(out);
    expect(ev.map(([e]) => e)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(ev[0][1]).toMatchObject({ message: { model: 'client-model', usage: { input_tokens: 12, output_tokens: 0 } } });
    expect(ev.filter(([e]) => e === 'content_block_start').map(([, d]) => [d.index, (d.content_block as { type: string }).type])).toEqual([
      [0, 'thinking'],
      [1, 'text'],
      [2, 'tool_use'],
    ]);
    expect(ev[ev.length - 2][1]).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 7 } });
    expect(w.end()).toBe('');
  });

  it('an abnormal end is one error event with Anthropic’s type', () => {
    const w = new MessagesStreamWriter(ctx());
    w.chunk({ choices: [{ index: 0, delta: { content: 'a' } }] });
    expect(events(w.error('idle_timeout', 'stalled'))).toEqual([['error', { type: 'error', error: { type: 'timeout_error', message: 'stalled' } }]]);
    expect(w.end()).toBe('');
  });
});

describe('native Messages streams', () => {
  it('reads input and cache tokens from message_start and the cumulative output from message_delta', () => {
    const r = new MessagesEventReader();
    expect(r.event('message_start', { type: 'message_start', message: { usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 1 } } })).toBe(false);
    r.event('content_block_delta', { type: 'content_block_delta', delta: { type: 'text_delta', text: 'abc' } });
    expect(r.pendingText).toBe('abc');
    expect(r.usage).toEqual({ prompt_tokens: 125, completion_tokens: 1, total_tokens: 126, cache_read_tokens: 100, cache_write_tokens: 20 });
    r.event('message_delta', { type: 'message_delta', usage: { output_tokens: 9 } });
    expect(r.pendingText).toBeUndefined();
    expect(r.usage?.completion_tokens).toBe(9);
    expect(r.event('message_stop', { type: 'message_stop' })).toBe(true);
  });

  it('error bodies follow Anthropic’s types by status, keeping an Anthropic type the upstream gave', () => {
    const e = (status: number, type = 'one_api_error') => messagesErrorBody(status, { message: 'm', type, param: null, code: null }, 'rq');
    expect(e(401)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'm' }, request_id: 'rq' });
    expect([400, 403, 404, 413, 429, 500, 502, 503, 504].map((s) => (e(s) as { error: { type: string } }).error.type)).toEqual([
      'invalid_request_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'api_error',
      'overloaded_error',
      'timeout_error',
    ]);
    expect((e(502, 'overloaded_error') as { error: { type: string } }).error.type).toBe('overloaded_error');
  });
});
