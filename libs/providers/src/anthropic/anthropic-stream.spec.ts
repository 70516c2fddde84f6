import type { SseEvent, StreamState } from '../adapter.types';
import { newStreamState } from '../native/openai-chunks';
import { convertAnthropicStreamEvent } from './anthropic-stream';

const ev = (type: string, payload: Record<string, unknown>): SseEvent => ({ event: type, data: JSON.stringify({ type, ...payload }) });

/** Feeds events; returns the chunks and whether the converter said done, in order. */
function run(events: SseEvent[], state: StreamState = newStreamState({ requestModel: 'claude-client', upstreamModel: 'u' }, 1_750_000_000_000)) {
  const chunks: Record<string, unknown>[] = [];
  const dones: boolean[] = [];
  for (const e of events) {
    const c = convertAnthropicStreamEvent(e, state);
    chunks.push(...c.chunks);
    dones.push(c.done);
  }
  return { chunks, dones, state };
}

const deltas = (chunks: Record<string, unknown>[]) =>
  chunks.map((c) => {
    const choices = c.choices as { delta: Record<string, unknown>; finish_reason: string | null }[];
    return choices.length ? { delta: choices[0].delta, finish: choices[0].finish_reason } : { usage: c.usage };
  });

const START = ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'u', stop_reason: null, usage: { input_tokens: 25, output_tokens: 1 } } });

describe('convertAnthropicStreamEvent', () => {
  it('text stream: role chunk, content deltas, finish reason, usage chunk, done at message_stop', () => {
    const { chunks, dones, state } = run([
      START,
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('ping', {}),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' world' } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
      ev('message_stop', {}),
    ]);
    expect(deltas(chunks)).toEqual([
      { delta: { role: 'assistant', content: '' }, finish: null },
      { delta: { content: 'Hello' }, finish: null },
      { delta: { content: ' world' }, finish: null },
      { delta: {}, finish: 'stop' },
      { usage: { prompt_tokens: 25, completion_tokens: 7, total_tokens: 32 } },
    ]);
    expect(dones).toEqual([false, false, false, false, false, false, false, true]);
    expect(state.usage).toEqual({ prompt_tokens: 25, completion_tokens: 7, total_tokens: 32 });
    // Every chunk carries the same id/model/created, as OpenAI's do.
    for (const c of chunks) expect(c).toMatchObject({ id: state.id, object: 'chat.completion.chunk', model: 'claude-client', created: 1_750_000_000 });
  });

  it('tool calls: each tool_use block gets the next OpenAI index; input_json_delta goes to its block’s index', () => {
    const { chunks } = run([
      START,
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Checking.' } }),
      ev('content_block_stop', { index: 0 }),
      ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: {} } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
      ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_B', name: 'get_time', input: {} } }),
      ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"tz":"UTC"}' } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } }),
      ev('message_stop', {}),
    ]);
    expect(deltas(chunks)).toEqual([
      { delta: { role: 'assistant', content: '' }, finish: null },
      { delta: { content: 'Checking.' }, finish: null },
      { delta: { tool_calls: [{ index: 0, id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish: null },
      { delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish: null },
      { delta: { tool_calls: [{ index: 1, id: 'toolu_B', type: 'function', function: { name: 'get_time', arguments: '' } }] }, finish: null },
      { delta: { tool_calls: [{ index: 1, function: { arguments: '{"tz":"UTC"}' } }] }, finish: null },
      { delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish: null },
      { delta: {}, finish: 'tool_calls' },
      { usage: { prompt_tokens: 25, completion_tokens: 40, total_tokens: 65 } },
    ]);
  });

  it('thinking deltas become reasoning_content; max_tokens finishes with length', () => {
    const { chunks } = run([
      START,
      ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'abc' } }),
      ev('message_delta', { delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 3 } }),
    ]);
    expect(deltas(chunks).slice(1)).toEqual([{ delta: { reasoning_content: 'Hmm.' }, finish: null }, { delta: {}, finish: 'length' }]);
  });

  it('an error event becomes an OpenAI error line and ends the stream', () => {
    const { chunks, dones } = run([START, ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]);
    expect(chunks[1]).toEqual({ error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: 'overloaded_error' } });
    expect(dones).toEqual([false, true]);
  });

  it('ignores unparsable data and unknown events; message_stop without message_delta still finishes', () => {
    const { chunks, dones } = run([{ data: 'not json' }, START, ev('future_event', {}), ev('message_stop', {})]);
    expect(deltas(chunks)).toEqual([{ delta: { role: 'assistant', content: '' }, finish: null }, { delta: {}, finish: 'stop' }]);
    expect(dones).toEqual([false, false, false, true]);
  });

  it('keeps state per request: two streams do not share tool indexes', () => {
    const a = run([START, ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 't1', name: 'f' } })]);
    const b = run([START, ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 't2', name: 'g' } })]);
    expect(a.state.toolCallIndex.get('t1')).toBe(0);
    expect(b.state.toolCallIndex.get('t2')).toBe(0);
    expect(a.state.id).not.toBe(b.state.id);
  });
});
