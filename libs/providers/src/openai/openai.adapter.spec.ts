import { ChannelType } from '@oneapi/domain';
import { OPENAI_PATHS, relayModeOfPath, type ChannelContext, type RelayMode } from '../adapter.types';
import { ChannelConfigError } from '../errors';
import { getAdapter } from '../registry';

const ch = (type: number, baseUrl?: string, key = 'sk-abc'): ChannelContext => ({ id: 7, type, key, baseUrl, config: {} });

describe('OpenAI wire-format adapters', () => {
  it.each([...getAdapter(ChannelType.OpenAI).endpoints])('OpenAI (1) %s → api.openai.com + the OpenAI path, body passes through', (mode: RelayMode) => {
    const a = getAdapter(ChannelType.OpenAI);
    expect(a.requestUrl(ch(1), mode, 'gpt-4o')).toBe(`https://api.openai.com${OPENAI_PATHS[mode]}`);
    expect(a.convertRequest).toBeUndefined();
    expect(a.wireFormat).toBe('openai');
  });

  it('rerank is not an OpenAI endpoint: OpenAI and its proxies do not claim it', () => {
    for (const type of [ChannelType.OpenAI, ChannelType.Custom, ChannelType.API2D]) expect(getAdapter(type).endpoints.has('rerank')).toBe(false);
  });

  it('only OpenAI itself passes the Responses API through; proxies and compatible types reach it through the chat bridge', () => {
    expect(getAdapter(ChannelType.OpenAI).endpoints.has('responses')).toBe(true);
    for (const type of [ChannelType.Custom, ChannelType.API2D, ChannelType.OpenAICompatible, ChannelType.DeepSeek]) expect(getAdapter(type).endpoints.has('responses')).toBe(false);
  });

  it('builds Bearer auth and carries Content-Type/Accept over (multipart keeps its boundary)', () => {
    const a = getAdapter(ChannelType.OpenAI);
    expect(a.requestHeaders(ch(1), 'chat', { accept: 'text/event-stream' })).toEqual({
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
      Authorization: 'Bearer sk-abc',
    });
    const multipart = 'multipart/form-data; boundary=----abc';
    expect(a.requestHeaders(ch(1), 'audio.transcriptions', { contentType: multipart })['Content-Type']).toBe(multipart);
  });

  it("overrides the default base URL with the channel's, trailing slash trimmed", () => {
    expect(getAdapter(1).requestUrl(ch(1, 'https://proxy.example/'), 'chat', 'm')).toBe('https://proxy.example/v1/chat/completions');
  });

  it.each([
    [ChannelType.API2D, 'https://oa.api2d.net/v1/chat/completions'],
    [ChannelType.CloseAI, 'https://api.closeai-proxy.xyz/v1/chat/completions'],
    [ChannelType.OpenAISB, 'https://api.openai-sb.com/v1/chat/completions'],
    [ChannelType.OpenAIMax, 'https://api.openaimax.com/v1/chat/completions'],
    [ChannelType.OhMyGPT, 'https://api.ohmygpt.com/v1/chat/completions'],
    [ChannelType.AIProxy, 'https://api.aiproxy.io/v1/chat/completions'],
    [ChannelType.OpenRouter, 'https://openrouter.ai/api/v1/chat/completions'],
    [ChannelType.GeminiOpenAICompatible, 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions'],
    [ChannelType.Mistral, 'https://api.mistral.ai/v1/chat/completions'],
    [ChannelType.Groq, 'https://api.groq.com/openai/v1/chat/completions'],
    [ChannelType.Ollama, 'http://localhost:11434/v1/chat/completions'],
    [ChannelType.DeepSeek, 'https://api.deepseek.com/v1/chat/completions'],
    [ChannelType.XAI, 'https://api.x.ai/v1/chat/completions'],
    [ChannelType.Zhipu, 'https://open.bigmodel.cn/api/paas/v4/chat/completions'],
    [ChannelType.Ali, 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions'],
    [ChannelType.Doubao, 'https://ark.cn-beijing.volces.com/api/v3/chat/completions'],
    [ChannelType.Novita, 'https://api.novita.ai/v3/openai/chat/completions'],
    [ChannelType.BaiduV2, 'https://qianfan.baidubce.com/v2/chat/completions'],
    [ChannelType.Minimax, 'https://api.minimax.chat/v1/text/chatcompletion_v2'],
    [ChannelType.SiliconFlow, 'https://api.siliconflow.cn/v1/chat/completions'],
  ])('type %i chat goes to %s by default', (type, url) => {
    expect(getAdapter(type).requestUrl(ch(type), 'chat', 'm')).toBe(url);
  });

  it('Custom (8) appends /v1/... to its required base URL', () => {
    const a = getAdapter(ChannelType.Custom);
    expect(a.requestUrl(ch(8, 'http://127.0.0.1:9999'), 'embeddings', 'm')).toBe('http://127.0.0.1:9999/v1/embeddings');
    expect(() => a.requestUrl(ch(8, ''), 'chat', 'm')).toThrow(ChannelConfigError);
    expect(() => a.requestUrl(ch(8), 'chat', 'm')).toThrow(/channel #7: base URL is required/);
  });

  it('OpenAI-compatible (50) treats the base URL as including the version (One API trims /v1)', () => {
    const a = getAdapter(ChannelType.OpenAICompatible);
    expect(a.requestUrl(ch(50, 'https://llm.example/v1'), 'chat', 'm')).toBe('https://llm.example/v1/chat/completions');
    expect(a.requestUrl(ch(50, 'https://llm.example/api/v3/'), 'audio.speech', 'm')).toBe('https://llm.example/api/v3/audio/speech');
    expect(() => a.requestUrl(ch(50, ''), 'chat', 'm')).toThrow(ChannelConfigError);
  });

  it('OpenRouter sends its attribution headers', () => {
    expect(getAdapter(ChannelType.OpenRouter).requestHeaders(ch(20), 'chat', {})).toEqual(
      expect.objectContaining({ Authorization: 'Bearer sk-abc', 'HTTP-Referer': expect.any(String), 'X-Title': 'One API' }),
    );
  });

  it('strips /v1 for OpenAI behind Cloudflare AI Gateway', () => {
    const base = 'https://gateway.ai.cloudflare.com/v1/acct/gw/openai';
    expect(getAdapter(1).requestUrl(ch(1, base), 'chat', 'm')).toBe(`${base}/chat/completions`);
  });

  it('declares stream_options support per provider (Mistral rejects unknown fields)', () => {
    expect(getAdapter(ChannelType.OpenAI).acceptsStreamOptions(ch(1))).toBe(true);
    expect(getAdapter(ChannelType.Mistral).acceptsStreamOptions(ch(28))).toBe(false);
  });

  it('maps incoming paths to relay modes', () => {
    expect(relayModeOfPath('/v1/chat/completions?x=1')).toBe('chat');
    expect(relayModeOfPath('/v1/engines/text-embedding-ada-002/embeddings')).toBe('embeddings');
    expect(relayModeOfPath('/v1/audio/translations')).toBe('audio.translations');
    expect(relayModeOfPath('/v1/files')).toBeUndefined();
  });
});
