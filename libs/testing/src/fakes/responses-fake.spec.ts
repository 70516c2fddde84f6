import OpenAI from 'openai';
import { startFakeAzure } from './fake-azure';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';

describe('fake OpenAI: the Responses API', () => {
  let fake: FakeUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => fake.close());

  it('creates, retrieves, continues and deletes a stored response', async () => {
    const r = await client.responses.create({ model: 'gpt-4o', input: 'hello' });
    expect(r.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
    expect(r.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, input_tokens_details: { cached_tokens: 0 } });
    expect((await client.responses.retrieve(r.id)).id).toBe(r.id);
    const next = await client.responses.create({ model: 'gpt-4o', input: 'again', previous_response_id: r.id });
    expect(next.previous_response_id).toBe(r.id);
    const items = await client.responses.inputItems.list(next.id);
    expect(items.data.map((i) => (i.type === 'message' ? i.role : i.type))).toEqual(['user', 'user']);
    await client.responses.delete(r.id);
    await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'gpt-4o', input: 'x', previous_response_id: r.id })).rejects.toMatchObject({ status: 404, code: 'previous_response_not_found' });
  });

  it('streams typed events with sequence numbers, usage in response.completed', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-cached-4', input: 'hello', stream: true });
    const types: string[] = [];
    const seqs: number[] = [];
    let usage: unknown;
    for await (const e of stream) {
      types.push(e.type);
      seqs.push(e.sequence_number);
      if (e.type === 'response.completed') usage = e.response.usage;
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(usage).toMatchObject({ input_tokens: 10, output_tokens: 5, input_tokens_details: { cached_tokens: 4 } });
  });

  it('calls the first function tool, and answers its output', async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const r = await client.responses.create({ model: 'gpt-4o', input: 'weather?', tools });
    const call = r.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    if (call.type !== 'function_call') throw new Error('no call');
    const next = await client.responses.create({ model: 'gpt-4o', previous_response_id: r.id, tools, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }] });
    expect(next.output_text).toContain('result: sunny');
  });

  it('refuses what the real API refuses', async () => {
    await expect(client.responses.create({ model: 'gpt-4o', input: 'x', nonsense: 1 } as never)).rejects.toMatchObject({ status: 400, code: 'unknown_parameter', param: 'nonsense' });
    await expect(client.responses.create({ model: 'gpt-4o', input: [{ role: 'robot', content: 'x' }] as never })).rejects.toMatchObject({ status: 400, param: 'input[0].role' });
    await expect(client.responses.create({ model: 'gpt-4o', input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] })).rejects.toMatchObject({ status: 400 });
  });

  it('answers structured output with JSON following the schema', async () => {
    const r = await client.responses.create({
      model: 'gpt-4o',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object', properties: { city: { type: 'string' }, temp: { type: 'number' } } }, strict: true } },
    });
    expect(JSON.parse(r.output_text)).toEqual({ city: 'tok', temp: 1 });
  });

  it('Azure serves it on the v1 surface', async () => {
    const azure = await startFakeAzure();
    try {
      const res = await fetch(`${azure.url}/openai/v1/responses`, { method: 'POST', headers: { 'api-key': 'k', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'dep', input: 'hi' }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ object: 'response', status: 'completed' });
    } finally {
      await azure.close();
    }
  });
});
