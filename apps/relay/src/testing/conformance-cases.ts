import type { IncomingHttpHeaders } from 'node:http';
import { ChannelType, getChannelType } from '@oneapi/domain';
import { getAdapter, type RelayMode } from '@oneapi/providers';
import type { FakeUpstreamRequest } from '@oneapi/testing';

/**
 * The seed channel types of the adapter conformance suite, with what each provider expects on
 * the wire. Expectations are written out here (paths, auth headers) rather than derived from the
 * adapters, so an adapter that builds the wrong URL fails the suite instead of agreeing with it.
 */

/** Which fake upstream a type talks to. */
export type FakeKind = 'openai' | 'azure' | 'anthropic' | 'gemini';

/** The key every conformance fake accepts; channels with any other key get the provider's auth error. */
export const UPSTREAM_KEY = 'sk-conformance-upstream';
export const WRONG_UPSTREAM_KEY = 'sk-conformance-revoked';
/** The `api-version` configured on the Azure channel (not the adapter's default, so the config is proven to be read). */
export const AZURE_API_VERSION = '2024-10-21';

export interface ConformanceType {
  id: number;
  /** Registry name, for test titles. */
  name: string;
  fake: FakeKind;
  /** The channel's `base_url` given the fake's `http://127.0.0.1:<port>`. */
  baseUrl(fakeUrl: string): string;
  /** Expected upstream path (no query) of a chat call. */
  chatPath(model: string, stream: boolean): string;
  /** Expected upstream path of an embeddings call. */
  embeddingsPath(model: string): string;
  /** Expected upstream query string of every model call. */
  query(stream: boolean): Record<string, string>;
  /** The auth header (lower-case name) and its exact value for `key`. */
  auth(key: string): [string, string];
  /** Other headers the provider expects (lower-case names). */
  extraHeaders: Readonly<Record<string, string>>;
  /**
   * Whether a streamed reply carries the upstream's usage even when the client did not ask for it:
   * true when the relay asks upstream (`stream_options`) or the provider always reports it
   * (Anthropic, Gemini); false for Mistral, whose adapter must not send `stream_options`, so the
   * relay counts tokens itself.
   */
  streamUsageFromUpstream: boolean;
}

const openaiV1 = (id: number, extraHeaders: Record<string, string> = {}, streamUsageFromUpstream = true): ConformanceType => ({
  id,
  name: getChannelType(id)?.name ?? `type ${id}`,
  fake: 'openai',
  baseUrl: (u) => u,
  chatPath: () => '/v1/chat/completions',
  embeddingsPath: () => '/v1/embeddings',
  query: () => ({}),
  auth: (key) => ['authorization', `Bearer ${key}`],
  extraHeaders,
  streamUsageFromUpstream,
});

/** Every seed type of issue 5, in registry order. */
export const CONFORMANCE_TYPES: readonly ConformanceType[] = [
  openaiV1(ChannelType.OpenAI),
  openaiV1(ChannelType.API2D),
  {
    id: ChannelType.Azure,
    name: getChannelType(ChannelType.Azure)?.name ?? 'Azure',
    fake: 'azure',
    baseUrl: (u) => u,
    // Deployment = model with the dots removed (Azure deployment names cannot contain dots).
    chatPath: (model) => `/openai/deployments/${model.replace(/\./g, '')}/chat/completions`,
    embeddingsPath: (model) => `/openai/deployments/${model.replace(/\./g, '')}/embeddings`,
    query: () => ({ 'api-version': AZURE_API_VERSION }),
    auth: (key) => ['api-key', key],
    extraHeaders: {},
    streamUsageFromUpstream: true,
  },
  openaiV1(ChannelType.CloseAI),
  openaiV1(ChannelType.OpenAISB),
  openaiV1(ChannelType.OpenAIMax),
  openaiV1(ChannelType.OhMyGPT),
  openaiV1(ChannelType.Custom),
  openaiV1(ChannelType.AIProxy),
  {
    id: ChannelType.Anthropic,
    name: getChannelType(ChannelType.Anthropic)?.name ?? 'Anthropic',
    fake: 'anthropic',
    baseUrl: (u) => u,
    chatPath: () => '/v1/messages',
    embeddingsPath: () => '(none)',
    query: () => ({}),
    auth: (key) => ['x-api-key', key],
    extraHeaders: { 'anthropic-version': '2023-06-01' },
    streamUsageFromUpstream: true,
  },
  // One API tags OpenRouter requests so they show up as "One API" in OpenRouter's rankings.
  openaiV1(ChannelType.OpenRouter, { 'http-referer': 'https://github.com/songquanpeng/one-api', 'x-title': 'One API' }),
  {
    id: ChannelType.Gemini,
    name: getChannelType(ChannelType.Gemini)?.name ?? 'Gemini',
    fake: 'gemini',
    baseUrl: (u) => u,
    chatPath: (model, stream) => `/v1beta/models/${model}:${stream ? 'streamGenerateContent' : 'generateContent'}`,
    embeddingsPath: (model) => `/v1beta/models/${model}:batchEmbedContents`,
    query: (stream): Record<string, string> => (stream ? { alt: 'sse' } : {}),
    auth: (key) => ['x-goog-api-key', key],
    extraHeaders: {},
    streamUsageFromUpstream: true,
  },
  openaiV1(ChannelType.Mistral, {}, false),
  openaiV1(ChannelType.Groq),
  openaiV1(ChannelType.Ollama),
  openaiV1(ChannelType.DeepSeek),
  openaiV1(ChannelType.XAI),
  {
    // One API's OpenAI-compatible type: the base URL carries the version path, nothing is added.
    ...openaiV1(ChannelType.OpenAICompatible),
    baseUrl: (u) => `${u}/v1`,
  },
];

/** Model names of one type's channels (prefixed by the type id so routing never mixes types). */
export function modelsOf(t: ConformanceType) {
  const p = `c${t.id}`;
  return {
    /** Has a dot so Azure's deployment rule is exercised. */
    chat: `${p}-chat-3.5`,
    /** The fakes' `-tools` knob: they answer with two tool calls. */
    tools: `${p}-chat-3.5-tools`,
    embed: `${p}-embed`,
    /** Served by two channels; the fake answers 429 on both. */
    busy: `${p}-busy-status-429`,
    broken: `${p}-broken-status-500`,
    /** Served by a channel whose key the fake refuses. */
    revoked: `${p}-revoked`,
    /** The client's name for a model the main channel maps to `mapped` (channel model_mapping). */
    alias: `${p}-alias`,
    /** Has a dot: Azure's deployment comes from the mapped name, dots removed. */
    mapped: `${p}-upstream-4.1`,
  };
}

/** The endpoints a type declares (from the adapter registry). */
export function declaredEndpoints(t: ConformanceType): ReadonlySet<RelayMode> {
  return getAdapter(t.id).endpoints;
}

/** Endpoints probed for the 501 case, in order; the first one a type does not declare is used. */
export const PROBE_MODES = ['embeddings', 'completions', 'moderations', 'images', 'audio.speech'] as const satisfies readonly RelayMode[];

export function undeclaredProbe(t: ConformanceType): (typeof PROBE_MODES)[number] | undefined {
  const declared = declaredEndpoints(t);
  return PROBE_MODES.find((m) => !declared.has(m));
}

/** A header as one string (node gives arrays for repeated headers). */
export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The requests a fake received since `from` (its request count before the call). */
export function since(requests: readonly FakeUpstreamRequest[], from: number): FakeUpstreamRequest[] {
  return requests.slice(from);
}

/** A 1x1 PNG as a data URL (the image content part of the vision scenarios). */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
export const PNG_DATA_URL = `data:image/png;base64,${PNG_BASE64}`;
export const REMOTE_IMAGE_URL = 'https://images.example.com/cat.png';

/** The two tools of the tool-call scenarios (the fakes call `get_weather` then `get_time`). */
export const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Current weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  {
    type: 'function' as const,
    function: { name: 'get_time', description: 'Current time in a time zone', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } },
  },
];

/** What the fakes' two tool calls carry, as parsed arguments. */
export const EXPECTED_CALLS = [
  { name: 'get_weather', args: { city: 'Paris' } },
  { name: 'get_time', args: { tz: 'UTC' } },
];

/** The text every fake streams/returns with default knobs (5 pieces). */
export const FAKE_PIECES = ['tok0 ', 'tok1 ', 'tok2 ', 'tok3 ', 'tok4 '];
/** The usage every fake reports with default knobs. */
export const FAKE_USAGE = { prompt_tokens: 10, completion_tokens: 5 };

export interface SseResult {
  status: number;
  contentType: string;
  requestId: string;
  /** Every `data:` payload in order (`[DONE]` included, verbatim). */
  data: string[];
}

/** POSTs a streamed request with fetch and returns the raw `data:` payloads (to see `[DONE]` and exactly what was sent). */
export async function postSse(baseURL: string, apiKey: string, path: string, body: unknown): Promise<SseResult> {
  const res = await fetch(`${baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const data: string[] = [];
  for (const event of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    const lines = event.split('\n').filter((l) => l.startsWith('data:'));
    if (lines.length) data.push(lines.map((l) => l.slice(5).trimStart()).join('\n'));
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', requestId: res.headers.get('x-oneapi-request-id') ?? '', data };
}

/**
 * Channel types whose upstream is reached with signed or exchanged credentials, or another wire
 * format (issue 14). Each case names its fake and how its channel is configured; the suite
 * (`native-adapters.integration-spec.ts`) runs chat, stream with usage, tools and a refused
 * credential through the relay for every one.
 */
export type NativeFakeKind = 'bedrock' | 'vertex' | 'cohere' | 'cloudflare' | 'baidu' | 'tencent' | 'replicate' | 'coze' | 'aiproxy-library';

export interface NativeCase {
  id: number;
  /** For titles (one type may have several cases, e.g. Vertex's two publishers). */
  label: string;
  fake: NativeFakeKind;
  /** Prefix of the model names of this case (the fakes read knobs such as `-tools` from the name). */
  model: string;
  /** Expected upstream path of a chat call for `model`. */
  chatPath(model: string, stream: boolean): string;
  /** False when the provider has no function calling: a request with tools is a 400 naming `tools`. */
  tools?: false;
  /** False when the provider reports no usage: the relay counts tokens and bills its own count. */
  usage?: false;
}

export const NATIVE_CASES: readonly NativeCase[] = [
  {
    id: ChannelType.AwsClaude,
    label: 'AWS Claude (Bedrock), SigV4',
    fake: 'bedrock',
    model: 'c33-chat',
    chatPath: (model, stream) => `/model/${model}/${stream ? 'invoke-with-response-stream' : 'invoke'}`,
  },
  {
    id: ChannelType.VertexAI,
    label: 'Vertex AI Gemini, service-account token',
    fake: 'vertex',
    model: 'c42-gemini',
    chatPath: (model, stream) => `/v1/projects/conformance-project/locations/us-east5/publishers/google/models/${model}:${stream ? 'streamGenerateContent' : 'generateContent'}`,
  },
  {
    id: ChannelType.VertexAI,
    label: 'Vertex AI Claude, service-account token',
    fake: 'vertex',
    model: 'claude-c42',
    chatPath: (model, stream) => `/v1/projects/conformance-project/locations/us-east5/publishers/anthropic/models/${model}:${stream ? 'streamRawPredict' : 'rawPredict'}`,
  },
  {
    id: ChannelType.Cohere,
    label: 'Cohere chat v2',
    fake: 'cohere',
    model: 'c35-command',
    chatPath: () => '/v2/chat',
  },
  {
    id: ChannelType.Cloudflare,
    label: 'Cloudflare Workers AI, account URL',
    fake: 'cloudflare',
    model: 'c37-llama',
    chatPath: () => '/client/v4/accounts/conformance-account/ai/v1/chat/completions',
  },
  {
    id: ChannelType.Baidu,
    label: 'Baidu ERNIE v1, access-token exchange',
    fake: 'baidu',
    model: 'c15-ernie',
    chatPath: (model) => `/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/${model.toLowerCase()}`,
    tools: false,
  },
  {
    id: ChannelType.Tencent,
    label: 'Tencent Hunyuan, TC3 signature',
    fake: 'tencent',
    model: 'c23-hunyuan',
    chatPath: () => '/',
  },
  {
    id: ChannelType.Replicate,
    label: 'Replicate predictions (sync mode)',
    fake: 'replicate',
    model: 'meta/c46-llama',
    chatPath: () => '/v1/models/meta/c46-llama/predictions',
    tools: false,
  },
  {
    id: ChannelType.Coze,
    label: 'Coze bot chat v3',
    fake: 'coze',
    model: 'bot-c34',
    chatPath: () => '/v3/chat',
    tools: false,
  },
  {
    id: ChannelType.AIProxyLibrary,
    label: 'AIProxy Library knowledge base',
    fake: 'aiproxy-library',
    model: 'c21-library',
    chatPath: () => '/api/library/ask',
    tools: false,
    usage: false,
  },
];
