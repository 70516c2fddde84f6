import { exportPKCS8, generateKeyPair } from 'jose';
import { ChannelType } from '@oneapi/domain';
import { startFakeVertex, type FakeVertex } from '@oneapi/testing';
import type { ChannelContext } from '../adapter.types';
import { callAdapter } from '../native/adapter-call';
import { getAdapter } from '../registry';
import { clearVertexTokenCache } from './vertex-auth';

const PROJECT = 'oneapi-test-project';
const REGION = 'us-east5';
const EMAIL = 'relay@oneapi-test-project.iam.gserviceaccount.com';

type Chunk = { choices?: { delta: { content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[] };

function assemble(chunks: Record<string, unknown>[]) {
  let content = '';
  const calls: { name?: string; arguments: string }[] = [];
  let finish: string | null = null;
  for (const c of chunks as Chunk[]) {
    for (const ch of c.choices ?? []) {
      content += ch.delta.content ?? '';
      for (const t of ch.delta.tool_calls ?? []) {
        calls[t.index] ??= { arguments: '' };
        if (t.function.name) calls[t.index].name = t.function.name;
        calls[t.index].arguments += t.function.arguments;
      }
      finish = ch.finish_reason ?? finish;
    }
  }
  return { content, calls, finish };
}

describe('Vertex AI adapter (42) against the fake Vertex AI and its token endpoint', () => {
  let fake: FakeVertex;
  let privatePem = '';
  let otherPem = '';
  const adapter = getAdapter(ChannelType.VertexAI);
  const ch = (pem = privatePem, id = 42): ChannelContext => ({
    id,
    type: ChannelType.VertexAI,
    key: 'unused',
    baseUrl: fake.url,
    config: { region: REGION, vertex_ai_project_id: PROJECT, vertex_ai_adc: JSON.stringify({ type: 'service_account', client_email: EMAIL, private_key: pem, private_key_id: 'k1', token_uri: fake.tokenUri }) },
  });

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privatePem = await exportPKCS8(pair.privateKey);
    otherPem = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
    fake = await startFakeVertex({ projectId: PROJECT, region: REGION, clientEmail: EMAIL, publicKey: pair.publicKey, knobs: { promptTokens: 13 } });
  });
  beforeEach(() => clearVertexTokenCache());
  afterAll(() => fake.close());

  it('Gemini: one token exchange (JWT verified), then generateContent with the Bearer token; the token is reused', async () => {
    const body = { model: 'gemini-2.0-flash', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] };
    const first = await callAdapter(adapter, ch(), 'chat', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ model: 'gemini-2.0-flash', choices: [{ message: { content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }] });
    expect(first.usage).toEqual({ prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 });
    const second = await callAdapter(adapter, ch(), 'chat', body);
    expect(second.status).toBe(200);
    expect(fake.requestsTo('/token')).toHaveLength(1);
    const calls = fake.requestsTo(':generateContent');
    expect(calls.map((r) => r.path)).toEqual(Array(2).fill(`/v1/projects/${PROJECT}/locations/${REGION}/publishers/google/models/gemini-2.0-flash:generateContent`));
    expect(calls[1].headers.authorization).toBe(`Bearer ${fake.issued[0]}`);
  });

  it('Gemini stream (alt=sse) with tools: tool calls and usage', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'gemini-tools', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)?.query).toEqual({ alt: 'sse' });
    const a = assemble(res.chunks ?? []);
    expect(a.calls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
    expect(a.finish).toBe('tool_calls');
    expect(res.usage?.prompt_tokens).toBe(13);
  });

  it('Claude: rawPredict with anthropic_version vertex-2023-10-16 and no model in the body; streamRawPredict streams', async () => {
    const res = await callAdapter(adapter, ch(), 'chat', { model: 'claude-3-5-sonnet-v2@20241022', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model: 'claude-3-5-sonnet-v2@20241022', choices: [{ message: { content: 'tok0 tok1 tok2 tok3 tok4 ' }, finish_reason: 'stop' }] });
    expect(res.usage).toEqual({ prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 });
    const sent = fake.requests.at(-1);
    expect(sent?.path).toBe(`/v1/projects/${PROJECT}/locations/${REGION}/publishers/anthropic/models/${encodeURIComponent('claude-3-5-sonnet-v2@20241022')}:rawPredict`);
    expect(sent?.body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });

    const streamed = await callAdapter(adapter, ch(), 'chat', { model: 'claude-chunks-3', messages: [{ role: 'user', content: 'hi' }], stream: true });
    expect(fake.requests.at(-1)?.path).toMatch(/publishers\/anthropic\/models\/claude-chunks-3:streamRawPredict$/);
    expect(assemble(streamed.chunks ?? []).content).toBe('tok0 tok1 tok2 ');
    expect(streamed.usage).toEqual({ prompt_tokens: 13, completion_tokens: 3, total_tokens: 16 });
  });

  it('a key the token endpoint does not accept (JWT signed by another key): 401-class failure, nothing sent to the model', async () => {
    const before = fake.requests.length;
    await expect(callAdapter(adapter, ch(otherPem, 4242), 'chat', { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      name: 'UpstreamAuthorizationError',
      status: 400,
      message: expect.stringContaining('invalid_grant') as unknown,
    });
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual(['/token']);
  });
});
