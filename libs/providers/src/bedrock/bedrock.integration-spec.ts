import { ChannelType } from '@oneapi/domain';
import { startFakeBedrock, type FakeUpstream } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';

const AK = 'AKIAFAKEBEDROCK01';
const SK = 'fake/secret+key/for-sigv4';
const REGION = 'us-west-2';

type Chunk = { choices: { delta: { content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[]; usage?: unknown; error?: { message: string } };

function assemble(chunks: Record<string, unknown>[]) {
  let content = '';
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  let finish: string | null = null;
  for (const c of chunks as unknown as Chunk[]) {
    for (const ch of c.choices ?? []) {
      content += ch.delta.content ?? '';
      for (const t of ch.delta.tool_calls ?? []) {
        calls[t.index] ??= { arguments: '' };
        if (t.id) calls[t.index].id = t.id;
        if (t.function.name) calls[t.index].name = t.function.name;
        calls[t.index].arguments += t.function.arguments;
      }
      finish = ch.finish_reason ?? finish;
    }
  }
  return { content, calls, finish };
}

describe('AWS Claude / Bedrock adapter (33) against the fake Bedrock Runtime (SigV4 verified)', () => {
  let fake: FakeUpstream;
  const adapter = getAdapter(ChannelType.AwsClaude);
  const ch = (key = `${AK}|${SK}|${REGION}`): ChannelContext => ({ id: 33, type: ChannelType.AwsClaude, key, baseUrl: fake.url, config: {} });

  beforeAll(async () => {
    fake = await startFakeBedrock({ accessKeyId: AK, secretAccessKey: SK, region: REGION, knobs: { promptTokens: 17 } });
  });
  afterAll(() => fake.close());

  it('InvokeModel: signed request to /model/{bedrock id}/invoke, Bedrock body, OpenAI completion and usage back', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-3-5-sonnet-20241022', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], max_tokens: 40 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'chat.completion', model: 'claude-3-5-sonnet-20241022', choices: [{ message: { role: 'assistant', content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }] });
    expect(res.usage).toEqual({ prompt_tokens: 17, completion_tokens: 5, total_tokens: 22 });
    const seen = fake.requests.at(-1);
    expect(seen?.path).toBe('/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke');
    expect(seen?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${AK}/\\d{8}/${REGION}/bedrock/aws4_request`));
    expect(seen?.body).toEqual({ anthropic_version: 'bedrock-2023-05-31', system: 'Be brief.', max_tokens: 40, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });

  it('InvokeModelWithResponseStream: event-stream frames become OpenAI chunks with the usage Bedrock reported', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-stream-chunks-3', messages: [{ role: 'user', content: 'hi' }], stream: true });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)?.path).toBe('/model/claude-stream-chunks-3/invoke-with-response-stream');
    const a = assemble(res.chunks ?? []);
    expect(a.content).toBe('tok0 tok1 tok2 ');
    expect(a.finish).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: 17, completion_tokens: 3, total_tokens: 20 });
  });

  it('tools, streamed: tool_use blocks become indexed tool_calls deltas', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-tools', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true });
    const a = assemble(res.chunks ?? []);
    expect(a.calls.map((c) => [c.id, c.name, JSON.parse(c.arguments) as unknown])).toEqual([
      ['toolu_bdrk_0', 'get_weather', { city: 'Paris' }],
      ['toolu_bdrk_1', 'get_time', { tz: 'UTC' }],
    ]);
    expect(a.finish).toBe('tool_calls');
    expect((fake.requests.at(-1)?.body as { tools?: unknown }).tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  });

  it('an exception frame mid-stream ends the stream with an error chunk', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-exception-2', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = (res.chunks ?? []) as unknown as Chunk[];
    expect(chunks.at(-1)?.error?.message).toContain('Too many tokens');
  });

  it('a wrong secret key fails the signature check: 403 InvalidSignatureException, nothing of the key echoed', async () => {
    const res = await callAdapter(adapter, ch(`${AK}|wrong-secret-key-value|${REGION}`), 'chat', { model: 'claude-3-haiku-20240307', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toContain('signature we calculated does not match');
    expect(JSON.stringify(res.body)).not.toContain('wrong-secret');
  });

  it('an unknown access key: 403 UnrecognizedClientException', async () => {
    const res = await callAdapter(adapter, ch(`AKIAUNKNOWN000|${SK}|${REGION}`), 'chat', { model: 'claude-3-haiku-20240307', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toContain('security token included in the request is invalid');
  });
});
