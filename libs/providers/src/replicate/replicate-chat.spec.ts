import { newStreamState } from '../native/openai-chunks';
import { convertPredictionEvent, createPredictionDecoder, fromReplicatePrediction, toReplicatePrediction } from './replicate-chat';
import { ReplicateAdapter } from './replicate.adapter';

const ctx = { requestModel: 'llama', upstreamModel: 'meta/meta-llama-3-8b-instruct' };

describe('Replicate predictions', () => {
  it('builds the prompt from the conversation as One API does, with sampling fields', () => {
    expect(toReplicatePrediction({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], max_tokens: 30, temperature: 0.2, stop: ['a', 'b'] })).toEqual({
      input: { prompt: 'system: Be brief.\nuser: hi\n', max_tokens: 30, temperature: 0.2, stop_sequences: 'a,b' },
    });
    expect(() => toReplicatePrediction({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] })).toThrow(expect.objectContaining({ param: 'tools' }) as unknown as Error);
  });

  it('URL under One API’s default base (…/v1/models/) or the bare host; sync mode asked with Prefer: wait', () => {
    const a = new ReplicateAdapter([]);
    const ch = (baseUrl: string) => ({ id: 1, type: 46, key: 'r8_x', baseUrl, config: {} });
    expect(a.requestUrl(ch('https://api.replicate.com/v1/models/'), 'chat', 'meta/meta-llama-3-8b-instruct')).toBe('https://api.replicate.com/v1/models/meta/meta-llama-3-8b-instruct/predictions');
    expect(a.requestUrl(ch(''), 'chat', 'meta/x')).toBe('https://api.replicate.com/v1/models/meta/x/predictions');
    expect(a.requestHeaders(ch(''), 'chat', {})).toMatchObject({ authorization: 'Bearer r8_x', prefer: 'wait=60' });
  });

  it('bills the token counts Replicate measured; failed and unfinished predictions are errors of their meaning', () => {
    expect(fromReplicatePrediction({ status: 'succeeded', output: ['a', 'b'], metrics: { input_token_count: 7, output_token_count: 2 } }, ctx)).toMatchObject({
      body: { choices: [{ message: { content: 'ab' } }] },
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
    expect(() => fromReplicatePrediction({ status: 'failed', error: 'oom' }, ctx)).toThrow(expect.objectContaining({ status: 502 }) as unknown as Error);
    expect(() => fromReplicatePrediction({ status: 'processing' }, ctx)).toThrow(expect.objectContaining({ status: 504 }) as unknown as Error);
  });

  it('a streamed request: the JSON prediction becomes one event, then a chunk per output piece', () => {
    const d = createPredictionDecoder();
    expect(d.push(Buffer.from('{"status":"succeeded",'))).toHaveLength(0);
    d.push(Buffer.from('"output":["x","y"],"metrics":{"input_token_count":1,"output_token_count":2}}'));
    const sse = d.end().toString();
    const conv = convertPredictionEvent({ data: sse.replace(/^data: /, '').trim() }, newStreamState(ctx));
    expect(conv.done).toBe(true);
    expect(conv.chunks.map((c) => (c as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content)).toEqual(['', 'x', 'y', undefined, undefined]);
  });
});
