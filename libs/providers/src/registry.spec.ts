import { CHANNEL_TYPES, ChannelType, getChannelType } from '@oneapi/domain';
import { RELAY_MODES, type ChannelContext } from './adapter.types';
import { isBalanceQuerySupported } from './balance/balance';
import { AdapterNotImplementedError } from './errors';
import { getAdapter } from './registry';

/** Keys with a structure: Baidu `API_KEY|SECRET_KEY`, Tencent `AppId|SecretId|SecretKey`, Vertex AI `region|project|service-account JSON` (used by `authorize` only). */
const KEYS: Record<number, string> = { [ChannelType.Baidu]: 'sk-test|secret', [ChannelType.Tencent]: '1|sk-test|secret', [ChannelType.VertexAI]: `us-central1|proj|${JSON.stringify({ client_email: 'sa@proj.iam.gserviceaccount.com', private_key: 'sk-test' })}` };
/** Cloudflare needs the account id (One API's config user_id), AIProxy Library its library_id. */
const CONFIGS: Record<number, Record<string, string>> = { [ChannelType.Cloudflare]: { user_id: 'acct' }, [ChannelType.AIProxyLibrary]: { library_id: 'lib' } };
const ctx = (type: number, baseUrl = 'https://upstream.example'): ChannelContext => ({ id: 1, type, key: KEYS[type] ?? 'sk-test', baseUrl, config: CONFIGS[type] ?? {} });

/** Types whose default host is built from the channel's credentials (the region), so a base URL is optional without a fixed default. */
const REGIONAL_HOSTS = new Set<number>([ChannelType.AwsClaude, ChannelType.VertexAI]);

describe('channel-type registry → adapters', () => {
  it('lists every id the SPEC names, once', () => {
    const ids = CHANNEL_TYPES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [1, 2, 3, 4, 5, 6, 7, 8, 10, 14, 20, 24, 28, 29, 30, 36, 45, 50]) expect(getChannelType(id)).toBeDefined();
  });

  it.each(CHANNEL_TYPES.map((t) => [t.id, t.name] as const))('type %i (%s) resolves to an adapter that agrees with the registry', (id) => {
    const info = getChannelType(id);
    if (!info) throw new Error(`type ${id} missing`);
    const adapter = getAdapter(id);
    expect(adapter.defaultModels).toEqual(info.defaultModels);
    // implemented ⇔ serves some endpoint (chat for most; rerank-only Cohere, Jina's rerank and
    // embeddings); unimplemented types answer 501 for everything.
    // Proxy (43) is served by the relay's own /v1/oneapi/proxy route, not by an adapter.
    expect(adapter.endpoints.size > 0 || info.adapter === 'proxy').toBe(info.implemented);
    if (info.implemented && info.adapter !== 'proxy') {
      const mode = adapter.endpoints.has('chat') ? 'chat' : [...adapter.endpoints][0];
      const url = adapter.requestUrl(ctx(id), mode, 'some-model');
      // An adapter with its own transport speaks another scheme on the same host (Spark v1: wss://).
      expect(url).toMatch(adapter.transport ? /^wss:\/\/upstream\.example\// : /^https:\/\/upstream\.example\//);
      const headers = adapter.requestHeaders(ctx(id), mode, {});
      // Signing adapters put the credential in their `authorize` step, not in static headers.
      if (!adapter.authorize) expect(Object.values(headers).join(' ')).toContain('sk-test');
    } else {
      expect(adapter.endpoints.size).toBe(0);
      expect(adapter.notImplementedReason).toBeTruthy();
      expect(() => adapter.requestUrl(ctx(id), 'chat', 'm')).toThrow(AdapterNotImplementedError);
    }
    expect(info.supportsBalance).toBe(isBalanceQuerySupported(id));
    expect(info.credentialFields.map((f) => f.name)).toEqual(['key', 'base_url']);
    expect(info.credentialFields[1].required).toBe(info.defaultBaseUrl === '' && !REGIONAL_HOSTS.has(id));
  });

  it('answers 501 (AdapterNotImplementedError) for an unknown id and for undeclared modes', () => {
    const unknown = getAdapter(9999);
    expect(unknown.endpoints.size).toBe(0);
    expect(() => unknown.requestUrl(ctx(9999), 'chat', 'm')).toThrow(AdapterNotImplementedError);
    expect(() => getAdapter(ChannelType.DeepSeek).requestUrl(ctx(36), 'audio.speech', 'm')).toThrow(AdapterNotImplementedError);
  });

  it('serves chat and the Messages API natively for Anthropic (14) and chat + embeddings for Gemini (24)', () => {
    const a = getAdapter(ChannelType.Anthropic);
    expect(a.wireFormat).toBe('anthropic');
    expect([...a.endpoints]).toEqual(['chat', 'messages', 'messages.count_tokens']);
    expect(a.convertRequest && a.convertResponse && a.createStreamState && a.convertStreamEvent).toBeTruthy();
    const g = getAdapter(ChannelType.Gemini);
    expect(g.wireFormat).toBe('gemini');
    expect([...g.endpoints].sort()).toEqual(['chat', 'embeddings']);
    for (const mode of RELAY_MODES.filter((m) => !['chat', 'messages', 'messages.count_tokens'].includes(m))) expect(a.endpoints.has(mode)).toBe(false);
    expect(getChannelType(14)?.implemented).toBe(true);
    expect(getChannelType(24)?.implemented).toBe(true);
  });

  it('declares the Messages API only on Anthropic: every other type serves it through the chat bridge', () => {
    const native = CHANNEL_TYPES.filter((t) => getAdapter(t.id).endpoints.has('messages')).map((t) => t.id);
    expect(native).toEqual([ChannelType.Anthropic]);
  });

  it('declares rerank only where the upstream serves it: Cohere (v2), Jina, SiliconFlow, Xinference, OpenAI-compatible (50)', () => {
    const rerank = CHANNEL_TYPES.filter((t) => getAdapter(t.id).endpoints.has('rerank')).map((t) => t.id);
    expect(rerank.sort((a, b) => a - b)).toEqual([ChannelType.Cohere, ChannelType.SiliconFlow, ChannelType.OpenAICompatible, ChannelType.Jina, ChannelType.Xinference]);
    expect(getAdapter(ChannelType.Cohere).requestUrl(ctx(35), 'rerank', 'rerank-v3.5')).toBe('https://upstream.example/v2/rerank');
    expect(getAdapter(ChannelType.Jina).requestUrl(ctx(100, ''), 'rerank', 'jina-reranker-v2-base-multilingual')).toBe('https://api.jina.ai/v1/rerank');
    expect(getAdapter(ChannelType.SiliconFlow).requestUrl(ctx(44, ''), 'rerank', 'BAAI/bge-reranker-v2-m3')).toBe('https://api.siliconflow.cn/v1/rerank');
    expect(getAdapter(ChannelType.OpenAICompatible).requestUrl(ctx(50, 'https://h/v1'), 'rerank', 'm')).toBe('https://h/v1/rerank');
    // Image edits: OpenAI, its proxies and Azure; variations: not Azure.
    expect(getAdapter(ChannelType.OpenAI).endpoints.has('images.variations')).toBe(true);
    expect(getAdapter(ChannelType.Azure).endpoints.has('images.edits')).toBe(true);
    expect(getAdapter(ChannelType.Azure).endpoints.has('images.variations')).toBe(false);
    expect(getAdapter(ChannelType.DeepSeek).endpoints.has('images.edits')).toBe(false);
  });

  it('declares Azure api_version as a config field with the default', () => {
    const azure = getChannelType(ChannelType.Azure);
    if (!azure) throw new Error("Azure missing");
    expect(azure.configFields).toEqual([expect.objectContaining({ name: 'api_version', defaultValue: '2024-03-01-preview' })]);
    expect(azure.credentialFields[1]).toEqual(expect.objectContaining({ name: 'base_url', required: true }));
  });
});
