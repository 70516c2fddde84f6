import { ChannelType } from '@oneapi/domain';
import type { ChannelContext } from '../adapter.types';
import { AdapterNotImplementedError, ChannelConfigError } from '../errors';
import { getAdapter } from '../registry';
import { prepareUpstreamRequest, type PrepareInput } from './prepare';

const ch = (type: number, over: Partial<ChannelContext> = {}): ChannelContext => ({ id: 7, type, key: 'sk-channel-key', baseUrl: 'http://127.0.0.1:9', config: {}, ...over });

/** A JSON chat request as the relay hands it over. */
function input(text: string, over: Partial<PrepareInput> = {}): PrepareInput {
  const json = JSON.parse(text) as Record<string, unknown>;
  const stream = json.stream === true;
  return {
    json,
    raw: Buffer.from(text),
    text,
    multipart: false,
    contentType: 'application/json',
    accept: stream ? 'text/event-stream' : undefined,
    requestModel: String(json.model),
    upstreamModel: String(json.model),
    stream,
    includeUsage: stream && (json.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    systemPrompt: '',
    ...over,
  };
}

const CHAT = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}';
const STREAM = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}';

describe('prepareUpstreamRequest', () => {
  it('OpenAI: URL, auth and carried-over headers; the client’s bytes themselves when nothing changes', () => {
    const i = input(CHAT);
    const r = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', i);
    expect(r).toEqual({ url: 'http://127.0.0.1:9/v1/chat/completions', method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-channel-key' }, body: i.raw, wantUsage: false, systemPromptReset: false });
    expect(r.body).toBe(i.raw);
  });

  it('a mapped model is replaced in the bytes', () => {
    const r = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(CHAT, { upstreamModel: 'gpt-4o-2024-08-06' }));
    expect(r.body).toBe('{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}]}');
  });

  it('a streamed chat asks for usage upstream when the adapter accepts stream_options (wantUsage)', () => {
    const r = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(STREAM));
    expect(r.wantUsage).toBe(true);
    expect(JSON.parse(r.body as string)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(r.headers.Accept).toBe('text/event-stream');
  });

  it('an adapter that rejects stream_options gets none: the client’s are stripped (Mistral, old Azure api-versions)', () => {
    const asked = '{"model":"mistral-small","messages":[],"stream":true,"stream_options":{"include_usage":true}}';
    const r = prepareUpstreamRequest(getAdapter(ChannelType.Mistral), ch(ChannelType.Mistral), 'chat', input(asked));
    expect(r.wantUsage).toBe(false);
    expect(JSON.parse(r.body as string)).toEqual({ model: 'mistral-small', messages: [], stream: true });
    const azureOld = prepareUpstreamRequest(getAdapter(ChannelType.Azure), ch(ChannelType.Azure, { config: { api_version: '2024-02-01' } }), 'chat', input(asked));
    expect(azureOld.wantUsage).toBe(false);
    expect(JSON.parse(azureOld.body as string).stream_options).toBeUndefined();
    const azureNew = prepareUpstreamRequest(getAdapter(ChannelType.Azure), ch(ChannelType.Azure, { config: { api_version: '2024-10-21' } }), 'chat', input(STREAM));
    expect(azureNew.wantUsage).toBe(true);
    expect(azureNew.url).toBe('http://127.0.0.1:9/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(azureNew.headers['api-key']).toBe('sk-channel-key');
  });

  it('usage is not requested for a non-streamed request or a mode that does not stream', () => {
    expect(prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(CHAT)).wantUsage).toBe(false);
    const emb = '{"model":"text-embedding-3-small","input":"x"}';
    const r = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'embeddings', input(emb, { stream: true }));
    expect(r.wantUsage).toBe(false);
    expect(r.body.toString()).toBe(emb);
  });

  it('without the client’s bytes the JSON is serialised (channel tests, tools)', () => {
    const r = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(CHAT, { raw: undefined, text: undefined, upstreamModel: 'fake-model' }));
    expect(JSON.parse(r.body.toString())).toEqual({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('the channel’s system prompt replaces the client’s on every adapter, as One API does', () => {
    const WITH_SYSTEM = '{"model":"gpt-4o","messages":[{"role":"system","content":"Be chatty."},{"role":"user","content":"hi"}]}';
    const openai = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(WITH_SYSTEM, { systemPrompt: 'Be brief.' }));
    expect(JSON.parse(openai.body as string).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(openai.systemPromptReset).toBe(true);
    const claude = prepareUpstreamRequest(getAdapter(ChannelType.Anthropic), ch(ChannelType.Anthropic), 'chat', input(WITH_SYSTEM, { systemPrompt: 'Be brief.' }));
    expect(JSON.parse(claude.body as string).system).toBe('Be brief.');
    const gemini = prepareUpstreamRequest(getAdapter(ChannelType.Gemini), ch(ChannelType.Gemini), 'chat', input(WITH_SYSTEM, { systemPrompt: 'Be brief.' }));
    expect(JSON.parse(gemini.body as string).systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    const none = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(WITH_SYSTEM));
    expect(none.systemPromptReset).toBe(false);
    expect(JSON.parse(none.body.toString()).messages[0].content).toBe('Be chatty.');
  });

  it('the channel’s system prompt goes first, for native adapters too', () => {
    const openai = prepareUpstreamRequest(getAdapter(ChannelType.OpenAI), ch(ChannelType.OpenAI), 'chat', input(CHAT, { systemPrompt: 'Be brief.' }));
    expect(JSON.parse(openai.body as string).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    const claude = prepareUpstreamRequest(getAdapter(ChannelType.Anthropic), ch(ChannelType.Anthropic), 'chat', input(CHAT, { systemPrompt: 'Be brief.' }));
    expect(JSON.parse(claude.body as string).system).toBe('Be brief.');
  });

  it('native adapters convert the body with the mapped model; their URL and headers depend on stream and model', () => {
    const claude = prepareUpstreamRequest(getAdapter(ChannelType.Anthropic), ch(ChannelType.Anthropic), 'chat', input(STREAM, { upstreamModel: 'claude-3-5-sonnet-20240620' }));
    expect(claude.url).toBe('http://127.0.0.1:9/v1/messages');
    expect(claude.headers).toMatchObject({ 'x-api-key': 'sk-channel-key', 'anthropic-beta': 'max-tokens-3-5-sonnet-2024-07-15' });
    expect(JSON.parse(claude.body as string)).toMatchObject({ model: 'claude-3-5-sonnet-20240620', stream: true, messages: [{ role: 'user' }] });
    expect(claude.wantUsage).toBe(false);
    const gem = prepareUpstreamRequest(getAdapter(ChannelType.Gemini), ch(ChannelType.Gemini), 'chat', input(STREAM, { upstreamModel: 'gemini-2.0-flash' }));
    expect(gem.url).toBe('http://127.0.0.1:9/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(JSON.parse(gem.body as string)).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });

  it('an endpoint the channel type does not serve throws AdapterNotImplementedError', () => {
    const e = (() => {
      try {
        prepareUpstreamRequest(getAdapter(ChannelType.Anthropic), ch(ChannelType.Anthropic), 'embeddings', input('{"model":"x","input":"y"}'));
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(AdapterNotImplementedError);
    expect((e as Error).message).toBe('embeddings is not supported by channel type Anthropic Claude');
  });

  it('a channel without the base URL its type needs throws ChannelConfigError', () => {
    expect(() => prepareUpstreamRequest(getAdapter(ChannelType.Custom), ch(ChannelType.Custom, { baseUrl: '' }), 'chat', input(CHAT))).toThrow(ChannelConfigError);
  });
});
