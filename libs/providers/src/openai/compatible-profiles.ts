import { ChannelType } from '@oneapi/domain';
import { RELAY_MODES, type RelayMode } from '../adapter.types';

/**
 * How an OpenAI-compatible provider differs from api.openai.com: data, not code. Every type whose
 * registry `adapter` is `openai` uses `DEFAULT_PROFILE` unless listed in `COMPATIBLE_PROFILES`.
 */
export interface CompatibleProfile {
  /**
   * Replaces the `/v1` prefix of OpenAI's paths ('' when the base URL already carries the
   * version, e.g. One API's OpenAI-compatible type 50 whose base is `https://host/v1`).
   */
  versionPath: string;
  /** Full path (after the base URL) for modes that do not follow the `{version}/{task}` rule. */
  paths?: Partial<Record<RelayMode, string>>;
  /** Declared capabilities. */
  endpoints: readonly RelayMode[];
  /** Extra static headers. */
  headers?: Readonly<Record<string, string>>;
  /** False for upstreams that reject unknown fields such as `stream_options`. */
  acceptsStreamOptions: boolean;
}

const CHAT: readonly RelayMode[] = ['chat'];
const CHAT_EMBED: readonly RelayMode[] = ['chat', 'embeddings'];

/**
 * Modes only OpenAI itself is known to serve: the Responses API keeps state (stored responses,
 * `previous_response_id`) that proxies and compatible servers may not have, so other types reach
 * it through the stateless chat-completions bridge.
 */
const OPENAI_ONLY: ReadonlySet<RelayMode> = new Set<RelayMode>(['responses']);

/**
 * Modes OpenAI does not have: rerank is Cohere's and Jina's shape, declared only by the types
 * whose upstream serves it (a proxy of OpenAI would answer 404); Anthropic's Messages API reaches
 * OpenAI-wire types through the chat bridge.
 */
const NOT_OPENAI: ReadonlySet<RelayMode> = new Set<RelayMode>(['rerank', 'messages', 'messages.count_tokens']);
const OPENAI_MODES: readonly RelayMode[] = RELAY_MODES.filter((m) => !NOT_OPENAI.has(m));

/** The pass-through proxies (API2D, CloseAI, OpenAI-SB, ..., Custom). */
export const DEFAULT_PROFILE: CompatibleProfile = { versionPath: '/v1', endpoints: OPENAI_MODES.filter((m) => !OPENAI_ONLY.has(m)), acceptsStreamOptions: true };

/** OpenAI itself: every OpenAI mode. */
export const OPENAI_PROFILE: CompatibleProfile = { ...DEFAULT_PROFILE, endpoints: OPENAI_MODES };

const v1 = (endpoints: readonly RelayMode[], extra: Partial<CompatibleProfile> = {}): CompatibleProfile => ({
  versionPath: '/v1',
  endpoints,
  acceptsStreamOptions: true,
  ...extra,
});

/** Per-type overrides, keyed by One API's channel type id. */
export const COMPATIBLE_PROFILES: Readonly<Record<number, CompatibleProfile>> = {
  [ChannelType.OpenAI]: OPENAI_PROFILE,
  // https://open.bigmodel.cn/dev/api/normal-model/glm-4 : /api/paas/v4/chat/completions, Bearer <API key>.
  [ChannelType.Zhipu]: v1(['chat', 'embeddings', 'images'], { versionPath: '/api/paas/v4' }),
  // https://help.aliyun.com/zh/model-studio/compatibility-of-openai-with-dashscope
  [ChannelType.Ali]: v1(CHAT_EMBED, { versionPath: '/compatible-mode/v1' }),
  [ChannelType.AliBailian]: v1(CHAT_EMBED, { versionPath: '/compatible-mode/v1' }),
  [ChannelType.AI360]: v1(CHAT_EMBED),
  // One API sends these so requests show up as "One API" in OpenRouter's rankings
  // (relay/adaptor/openai/adaptor.go SetupRequestHeader).
  [ChannelType.OpenRouter]: v1(['chat', 'completions', 'embeddings'], {
    headers: { 'HTTP-Referer': 'https://github.com/songquanpeng/one-api', 'X-Title': 'One API' },
  }),
  [ChannelType.FastGPT]: v1(CHAT),
  [ChannelType.Moonshot]: v1(CHAT),
  [ChannelType.Baichuan]: v1(CHAT_EMBED),
  // MiniMax's OpenAI-format endpoint is not under /chat/completions (One API relay/adaptor/minimax/main.go).
  [ChannelType.Minimax]: v1(CHAT, { paths: { chat: '/v1/text/chatcompletion_v2' } }),
  // Mistral answers 422 "extra inputs are not permitted" for fields it does not know, and it
  // sends usage in the last stream chunk anyway.
  [ChannelType.Mistral]: v1(CHAT_EMBED, { acceptsStreamOptions: false }),
  [ChannelType.Groq]: v1(['chat', 'audio.transcriptions', 'audio.translations']),
  // Ollama's OpenAI-compatible API: https://github.com/ollama/ollama/blob/main/docs/openai.md
  [ChannelType.Ollama]: v1(['chat', 'completions', 'embeddings']),
  [ChannelType.LingYiWanWu]: v1(CHAT),
  [ChannelType.StepFun]: v1(CHAT),
  [ChannelType.DeepSeek]: v1(CHAT),
  [ChannelType.TogetherAI]: v1(['chat', 'completions', 'embeddings', 'images']),
  // Volcengine Ark: https://www.volcengine.com/docs/82379/1298454 (One API relay/adaptor/doubao).
  [ChannelType.Doubao]: v1(CHAT_EMBED, { versionPath: '/api/v3' }),
  // Novita's default base already ends in /v3/openai (One API relay/adaptor/novita).
  [ChannelType.Novita]: v1(['chat', 'completions'], { versionPath: '' }),
  // https://docs.siliconflow.cn/en/api-reference/rerank/create-rerank : POST /v1/rerank, billed per token.
  [ChannelType.SiliconFlow]: v1(['chat', 'embeddings', 'images', 'audio.speech', 'audio.transcriptions', 'rerank']),
  [ChannelType.XAI]: v1(['chat', 'completions', 'embeddings', 'images']),
  // Qianfan V2: https://cloud.baidu.com/doc/WENXINWORKSHOP/s/Fm2vrveyu
  [ChannelType.BaiduV2]: v1(CHAT_EMBED, { versionPath: '/v2' }),
  [ChannelType.XunfeiV2]: v1(CHAT),
  // One API's OpenAI-compatible type: the base URL includes the version (relay/adaptor/openai/helper.go
  // GetFullRequestURL trims /v1 from the request path for this type).
  // Self-hosted servers behind it (vLLM, Xinference, LocalAI, TEI) commonly serve /rerank as well:
  // the operator chooses this type for them, so it opts in.
  [ChannelType.OpenAICompatible]: { ...DEFAULT_PROFILE, versionPath: '', endpoints: [...DEFAULT_PROFILE.endpoints, 'rerank'] },
  // https://jina.ai/reranker/ and https://jina.ai/embeddings/ : /v1/rerank and /v1/embeddings, Bearer.
  [ChannelType.Jina]: v1(['embeddings', 'rerank']),
  // Xinference's OpenAI-compatible server (self-hosted, base URL required): /v1/rerank beside the OpenAI routes.
  // https://inference.readthedocs.io/en/latest/models/model_abilities/rerank.html
  [ChannelType.Xinference]: v1(['chat', 'completions', 'embeddings', 'images', 'audio.transcriptions', 'audio.speech', 'rerank']),
  // https://ai.google.dev/gemini-api/docs/openai
  [ChannelType.GeminiOpenAICompatible]: v1(['chat', 'embeddings', 'images'], { versionPath: '' }),
};

/** Gemini (24) served through Google's OpenAI-compatible endpoint until a native adapter exists. */
export const GEMINI_OPENAI_PROFILE: CompatibleProfile = v1(['chat', 'embeddings', 'images'], { versionPath: '/v1beta/openai' });

/** The profile for a type (DEFAULT_PROFILE when the type has no override). */
export function compatibleProfile(channelType: number): CompatibleProfile {
  return COMPATIBLE_PROFILES[channelType] ?? DEFAULT_PROFILE;
}
