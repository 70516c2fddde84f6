import type { SseEvent, StreamState } from '../adapter.types';
import { newStreamState } from '../native/openai-chunks';
import { convertGeminiStreamEvent } from './gemini-stream';

const ev = (payload: Record<string, unknown>): SseEvent => ({ data: JSON.stringify(payload) });
const part = (parts: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ev({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'gemini-2.0-flash' });

function run(events: SseEvent[], state: StreamState = newStreamState({ requestModel: 'gemini-client', upstreamModel: 'u' })) {
  const chunks: Record<string, unknown>[] = [];
  const dones: boolean[] = [];
  for (const e of events) {
    const c = convertGeminiStreamEvent(e, state);
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

describe('convertGeminiStreamEvent', () => {
  it('text stream: role chunk first, content per event, finish + usage on the finishReason event', () => {
    const { chunks, dones, state } = run([
      part([{ text: 'Hel' }], {}),
      ev({ candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] } }], usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } }),
      part([{ text: '!' }], { finishReason: 'STOP' }),
    ]);
    expect(deltas(chunks)).toEqual([
      { delta: { role: 'assistant', content: '' }, finish: null },
      { delta: { content: 'Hel' }, finish: null },
      { delta: { content: 'lo' }, finish: null },
      { delta: { content: '!' }, finish: null },
      { delta: {}, finish: 'stop' },
    ]);
    expect(dones).toEqual([false, false, true]);
    // The finish event had no usageMetadata: no upstream usage, the relay counts itself.
    expect(state.usage).toBeUndefined();
  });

  it('reports the final usageMetadata as usage and a usage chunk', () => {
    const { chunks, state } = run([
      part([{ text: 'Hi' }]),
      ev({ candidates: [{ content: { role: 'model', parts: [{ text: '.' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2, totalTokenCount: 10 } }),
    ]);
    expect(deltas(chunks).slice(-2)).toEqual([{ delta: {}, finish: 'length' }, { usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } }]);
    expect(state.usage).toEqual({ prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 });
    for (const c of chunks) expect(c).toMatchObject({ id: state.id, object: 'chat.completion.chunk', model: 'gemini-client' });
  });

  it('function calls: one complete tool call per part with increasing index; finish_reason tool_calls', () => {
    const { chunks } = run([
      part([{ text: 'Checking.' }]),
      part([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }]),
      ev({ candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } } }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 } }),
    ]);
    const d = deltas(chunks);
    expect(d[1]).toEqual({ delta: { content: 'Checking.' }, finish: null });
    const calls = d.slice(2, 4).map((x) => (x as unknown as { delta: { tool_calls: { index: number; id: string; function: unknown }[] } }).delta.tool_calls[0]);
    expect(calls.map((c) => [c.index, c.function])).toEqual([
      [0, { name: 'get_weather', arguments: '{"city":"Paris"}' }],
      [1, { name: 'get_time', arguments: '{"tz":"UTC"}' }],
    ]);
    expect(calls[0].id).toMatch(/^call_/);
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(d.slice(4)).toEqual([{ delta: {}, finish: 'tool_calls' }, { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }]);
  });

  it('thought parts become reasoning_content; SAFETY finishes with content_filter', () => {
    const { chunks } = run([part([{ text: 'hmm', thought: true }]), part([], { finishReason: 'SAFETY' })]);
    expect(deltas(chunks).slice(1)).toEqual([{ delta: { reasoning_content: 'hmm' }, finish: null }, { delta: {}, finish: 'content_filter' }]);
  });

  it('a blocked prompt ends the stream with content_filter', () => {
    const { chunks, dones } = run([ev({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } })]);
    expect(deltas(chunks)).toEqual([
      { delta: { role: 'assistant', content: '' }, finish: null },
      { delta: {}, finish: 'content_filter' },
      { usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 } },
    ]);
    expect(dones).toEqual([true]);
  });

  it('an error payload becomes an OpenAI error line and ends the stream; garbage is ignored', () => {
    const { chunks, dones } = run([{ data: 'garbage' }, ev({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })]);
    expect(chunks).toEqual([{ error: { message: 'The model is overloaded.', type: 'unavailable', param: null, code: '503' } }]);
    expect(dones).toEqual([false, true]);
  });
});
