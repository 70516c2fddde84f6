/**
 * The channel-type registry: One API's numeric channel types (relay/channeltype/define.go) with
 * their default base URLs (relay/channeltype/url.go), the fields the console's channel form shows,
 * default model lists and which adapter family serves them.
 *
 * This is the ONE list. The console renders its channel form from it, admin validation checks
 * against it, `@oneapi/providers` builds its adapter registry from it, and the worker reads
 * `supportsBalance`. Pure data: no I/O, nothing of ours imported.
 */

/**
 * Which adapter family in `@oneapi/providers` serves a type.
 * - `openai`: OpenAI wire format (OpenAI itself and every OpenAI-compatible proxy/provider);
 * - `azure`: OpenAI wire format with Azure's deployment URLs and `api-key` header;
 * - `anthropic`, `gemini`, `cohere`: native wire formats (converted to/from OpenAI shapes);
 * - `unsupported`: a One API type we keep for imports but cannot relay yet (answers 501).
 */
export type ChannelAdapterKind = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'cohere' | 'bedrock' | 'vertex' | 'cloudflare' | 'baidu' | 'tencent' | 'replicate' | 'coze' | 'xunfei' | 'aiproxy-library' | 'deepl' | 'proxy' | 'unsupported';

/** One input of the console's channel form. `name` is the channel column or the `config` key. */
export interface ChannelFormField {
  /** `key` and `base_url` are channel columns; anything else is a key in the channel's `config` JSON. */
  name: string;
  label: string;
  placeholder?: string;
  hint?: string;
  required: boolean;
  /** Render as a password field and never echo it back. */
  secret?: boolean;
  /** Render as a textarea (the key field accepts one key per line for batch creation). */
  multiline?: boolean;
  /** Used when the field is left empty. */
  defaultValue?: string;
}

export interface ChannelTypeInfo {
  /** One API's numeric id, stored in `channels.type`. */
  id: number;
  /** Human label for the console. */
  name: string;
  /** Short description shown under the type selector. */
  description: string;
  /** Used when the channel's `base_url` is empty; '' means the channel must set one. */
  defaultBaseUrl: string;
  /** Key + base URL inputs. */
  credentialFields: ChannelFormField[];
  /** Inputs stored in the channel's `config` JSON (e.g. Azure's `api_version`). */
  configFields: ChannelFormField[];
  /** Models pre-filled when creating a channel of this type. */
  defaultModels: string[];
  /** Whether `queryBalance` in `@oneapi/providers` can read the upstream balance. */
  supportsBalance: boolean;
  adapter: ChannelAdapterKind;
  /** False when the relay serves no endpoint of this type; the console hides it from "create". */
  implemented: boolean;
  /** Why an unimplemented type does not relay (the relay's error, the console and the import report name it). */
  notImplementedReason?: string;
}

/** Azure's default `api-version` when the channel config has none (One API's default). */
export const AZURE_DEFAULT_API_VERSION = '2024-03-01-preview';

/** Common OpenAI models (One API's relay/adaptor/openai/constants.go, trimmed to current ones). */
export const OPENAI_MODELS: readonly string[] = [
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-0125',
  'gpt-3.5-turbo-1106',
  'gpt-3.5-turbo-instruct',
  'gpt-4',
  'gpt-4-turbo',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'o1',
  'o1-mini',
  'o3-mini',
  'text-embedding-ada-002',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-moderation-latest',
  'dall-e-2',
  'dall-e-3',
  'whisper-1',
  'tts-1',
  'tts-1-hd',
];

const keyField = (label = 'API key', placeholder = 'sk-...', hint?: string): ChannelFormField => ({
  name: 'key',
  label,
  placeholder,
  hint: hint ?? 'One key per line creates one channel per key.',
  required: true,
  secret: true,
  multiline: true,
});

const baseUrlField = (defaultBaseUrl: string, required = false, hint?: string): ChannelFormField => ({
  name: 'base_url',
  label: 'Base URL',
  placeholder: defaultBaseUrl || 'https://api.example.com',
  hint: hint ?? (required ? 'Required.' : `Optional; defaults to ${defaultBaseUrl}.`),
  required,
});

interface Entry {
  id: number;
  name: string;
  description: string;
  defaultBaseUrl?: string;
  adapter: ChannelAdapterKind;
  models?: readonly string[];
  balance?: boolean;
  key?: ChannelFormField;
  baseUrl?: ChannelFormField;
  config?: ChannelFormField[];
  implemented?: boolean;
  notImplementedReason?: string;
}

function entry(e: Entry): ChannelTypeInfo {
  const defaultBaseUrl = e.defaultBaseUrl ?? '';
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    defaultBaseUrl,
    credentialFields: [e.key ?? keyField(), e.baseUrl ?? baseUrlField(defaultBaseUrl, defaultBaseUrl === '')],
    configFields: e.config ?? [],
    defaultModels: [...(e.models ?? [])],
    supportsBalance: e.balance ?? false,
    adapter: e.adapter,
    implemented: e.implemented ?? e.adapter !== 'unsupported',
    ...(e.notImplementedReason ? { notImplementedReason: e.notImplementedReason } : {}),
  };
}

const proxy = (id: number, name: string, defaultBaseUrl: string, balance = false): ChannelTypeInfo =>
  entry({ id, name, description: `OpenAI-compatible proxy ${name}; requests pass through with the channel key.`, defaultBaseUrl, adapter: 'openai', models: OPENAI_MODELS, balance });

const unsupported = (id: number, name: string, defaultBaseUrl: string, why: string): ChannelTypeInfo =>
  entry({ id, name, description: `${why} Kept so One API databases import; the relay does not send requests to it.`, defaultBaseUrl, adapter: 'unsupported', notImplementedReason: why });

/** Every known channel type, ordered by id. */
export const CHANNEL_TYPES: readonly ChannelTypeInfo[] = [
  entry({ id: 1, name: 'OpenAI', description: 'api.openai.com, or any OpenAI-compatible server via Base URL.', defaultBaseUrl: 'https://api.openai.com', adapter: 'openai', models: OPENAI_MODELS, balance: true }),
  proxy(2, 'API2D', 'https://oa.api2d.net', true),
  entry({
    id: 3,
    name: 'Azure OpenAI',
    description: 'Azure OpenAI Service: the model name (dots removed) is the deployment name.',
    adapter: 'azure',
    models: OPENAI_MODELS,
    key: keyField('API key', 'Azure resource key', 'Sent as the api-key header. One key per line creates one channel per key.'),
    baseUrl: baseUrlField('', true, 'Your resource endpoint, e.g. https://my-resource.openai.azure.com'),
    config: [
      {
        name: 'api_version',
        label: 'API version',
        placeholder: AZURE_DEFAULT_API_VERSION,
        hint: 'The api-version query parameter, e.g. 2024-10-21.',
        required: false,
        defaultValue: AZURE_DEFAULT_API_VERSION,
      },
    ],
  }),
  proxy(4, 'CloseAI', 'https://api.closeai-proxy.xyz', true),
  proxy(5, 'OpenAI-SB', 'https://api.openai-sb.com', true),
  proxy(6, 'OpenAIMax', 'https://api.openaimax.com'),
  proxy(7, 'OhMyGPT', 'https://api.ohmygpt.com'),
  entry({
    id: 8,
    name: 'Custom',
    description: 'Any OpenAI-compatible server; the request path (/v1/...) is appended to the Base URL.',
    adapter: 'openai',
    models: OPENAI_MODELS,
    balance: true,
    baseUrl: baseUrlField('', true, 'Required, without /v1, e.g. https://llm.internal.example.com'),
  }),
  proxy(9, 'Ails', 'https://api.caipacity.com'),
  proxy(10, 'AIProxy', 'https://api.aiproxy.io', true),
  unsupported(11, 'Google PaLM', 'https://generativelanguage.googleapis.com', 'Google shut the PaLM API down in 2024; move these channels to Google Gemini (24) with the same API key.'),
  proxy(12, 'API2GPT', 'https://api.api2gpt.com', true),
  proxy(13, 'AIGC2D', 'https://api.aigc2d.com', true),
  entry({
    id: 14,
    name: 'Anthropic Claude',
    description: 'Anthropic Messages API (native): chat, tools and images converted to and from OpenAI shapes.',
    defaultBaseUrl: 'https://api.anthropic.com',
    adapter: 'anthropic',
    models: ['claude-3-haiku-20240307', 'claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022', 'claude-3-7-sonnet-20250219', 'claude-sonnet-4-20250514', 'claude-opus-4-20250514'],
    key: keyField('API key', 'sk-ant-...'),
  }),
  entry({
    id: 15,
    name: 'Baidu ERNIE (v1)',
    description: 'Baidu ERNIE through the v1 wenxinworkshop API (access token exchanged from the key and cached); chat only. Baidu Qianfan V2 (47) is its OpenAI-compatible successor.',
    defaultBaseUrl: 'https://aip.baidubce.com',
    adapter: 'baidu',
    models: ['ERNIE-4.0-8K', 'ERNIE-3.5-8K', 'ERNIE-Speed-8K', 'ERNIE-Speed-128K', 'ERNIE-Lite-8K-0308', 'ERNIE-Tiny-8K'],
    key: keyField('API key|Secret key', 'API_KEY|SECRET_KEY', 'API_KEY|SECRET_KEY of your Qianfan application, as One API stores them. One per line creates one channel per key.'),
  }),
  entry({
    id: 16,
    name: 'Zhipu GLM',
    description: 'Zhipu BigModel through its OpenAI-compatible v4 API.',
    defaultBaseUrl: 'https://open.bigmodel.cn',
    adapter: 'openai',
    models: ['glm-4-plus', 'glm-4-air', 'glm-4-flash', 'glm-4v', 'embedding-3'],
    key: keyField('API key', 'id.secret'),
  }),
  entry({
    id: 17,
    name: 'Alibaba Qwen (DashScope)',
    description: "DashScope's OpenAI-compatible mode.",
    defaultBaseUrl: 'https://dashscope.aliyuncs.com',
    adapter: 'openai',
    models: ['qwen-turbo', 'qwen-plus', 'qwen-max', 'qwen-long', 'text-embedding-v3'],
  }),
  entry({
    id: 18,
    name: 'iFlytek Spark (v1)',
    description: 'iFlytek Spark through its WebSocket API (signed with the APISecret); chat only. The version comes from the model name (Spark-Max, SparkDesk-v3.1) or the channel API version. iFlytek Spark V2 (48) is its HTTP successor.',
    defaultBaseUrl: 'https://spark-api.xf-yun.com',
    adapter: 'xunfei',
    models: ['Spark-Lite', 'Spark-Pro', 'Spark-Pro-128K', 'Spark-Max', 'Spark-Max-32K', 'Spark-4.0-Ultra'],
    key: keyField('APPID|APISecret|APIKey', 'APPID|APISecret|APIKey', 'The APPID, APISecret and APIKey of your iFlytek application, joined with |, as One API stores them.'),
    config: [{ name: 'api_version', label: 'API version', placeholder: 'v3.5', hint: 'Used when the model name does not name a version (v1.1, v2.1, v3.1, v3.5, v4.0).', required: false }],
  }),
  entry({ id: 19, name: '360 AI', description: '360 Zhinao, OpenAI-compatible.', defaultBaseUrl: 'https://ai.360.cn', adapter: 'openai', models: ['360gpt-pro', '360gpt-turbo', 'embedding-bert-512-v1'] }),
  entry({
    id: 20,
    name: 'OpenRouter',
    description: 'OpenRouter, OpenAI-compatible; model ids look like openai/gpt-4o-mini.',
    defaultBaseUrl: 'https://openrouter.ai/api',
    adapter: 'openai',
    models: ['openai/gpt-4o-mini', 'openai/gpt-4o', 'anthropic/claude-3.5-sonnet', 'google/gemini-2.0-flash-001', 'meta-llama/llama-3.3-70b-instruct', 'deepseek/deepseek-chat'],
    balance: true,
    key: keyField('API key', 'sk-or-...'),
  }),
  entry({
    id: 21,
    name: 'AIProxy Library',
    description: "AIProxy's knowledge base: the last message is asked of the library, its sources appended; it reports no usage, so the relay counts tokens.",
    defaultBaseUrl: 'https://api.aiproxy.io',
    adapter: 'aiproxy-library',
    models: ['gpt-3.5-turbo', 'gpt-4o-mini', 'gpt-4o'],
    config: [{ name: 'library_id', label: 'Library ID', placeholder: 'your knowledge base id', hint: 'The knowledge base to ask (One API stores it as library_id).', required: true }],
  }),
  proxy(22, 'FastGPT', 'https://fastgpt.run/api/openapi'),
  entry({
    id: 23,
    name: 'Tencent Hunyuan',
    description: 'Tencent Hunyuan through Tencent Cloud API 3.0 (TC3-HMAC-SHA256 signed): chat, tools and streams converted to and from OpenAI shapes.',
    defaultBaseUrl: 'https://hunyuan.tencentcloudapi.com',
    adapter: 'tencent',
    models: ['hunyuan-lite', 'hunyuan-standard', 'hunyuan-standard-256K', 'hunyuan-pro', 'hunyuan-turbo', 'hunyuan-functioncall'],
    key: keyField('AppId|SecretId|SecretKey', 'AppId|SecretId|SecretKey', 'AppId|SecretId|SecretKey, as One API stores them. One per line creates one channel per key.'),
  }),
  entry({
    id: 24,
    name: 'Google Gemini',
    description: 'Gemini API (native generateContent): chat, tools, images and embeddings converted to and from OpenAI shapes.',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    adapter: 'gemini',
    models: ['gemini-1.5-flash', 'gemini-1.5-pro', 'gemini-2.0-flash', 'gemini-2.0-flash-lite', 'gemini-2.5-flash', 'gemini-2.5-pro', 'text-embedding-004'],
    key: keyField('API key', 'AIza...'),
  }),
  entry({ id: 25, name: 'Moonshot AI', description: 'Kimi, OpenAI-compatible.', defaultBaseUrl: 'https://api.moonshot.cn', adapter: 'openai', models: ['moonshot-v1-8k', 'moonshot-v1-32k', 'moonshot-v1-128k'] }),
  entry({ id: 26, name: 'Baichuan', description: 'Baichuan AI, OpenAI-compatible.', defaultBaseUrl: 'https://api.baichuan-ai.com', adapter: 'openai', models: ['Baichuan4', 'Baichuan3-Turbo', 'Baichuan2-Turbo', 'Baichuan-Text-Embedding'] }),
  entry({ id: 27, name: 'MiniMax', description: "MiniMax chatcompletion_v2 (OpenAI format).", defaultBaseUrl: 'https://api.minimax.chat', adapter: 'openai', models: ['abab6.5s-chat', 'abab6.5g-chat', 'abab5.5-chat'] }),
  entry({
    id: 28,
    name: 'Mistral AI',
    description: 'Mistral La Plateforme, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.mistral.ai',
    adapter: 'openai',
    models: ['open-mistral-7b', 'open-mixtral-8x7b', 'mistral-small-latest', 'mistral-medium-latest', 'mistral-large-latest', 'mistral-embed'],
  }),
  entry({
    id: 29,
    name: 'Groq',
    description: 'Groq LPU inference, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.groq.com/openai',
    adapter: 'openai',
    models: ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile', 'gemma2-9b-it', 'mixtral-8x7b-32768', 'whisper-large-v3'],
    key: keyField('API key', 'gsk_...'),
  }),
  entry({
    id: 30,
    name: 'Ollama',
    description: "A local Ollama server through its OpenAI-compatible /v1 API.",
    defaultBaseUrl: 'http://localhost:11434',
    adapter: 'openai',
    models: ['llama3.1', 'llama3.2', 'qwen2.5', 'mistral', 'nomic-embed-text'],
    key: keyField('API key', 'ollama', 'Ollama ignores it; any non-empty value works.'),
  }),
  entry({ id: 31, name: '01.AI (Yi)', description: 'LingYiWanWu, OpenAI-compatible.', defaultBaseUrl: 'https://api.lingyiwanwu.com', adapter: 'openai', models: ['yi-large', 'yi-medium', 'yi-lightning', 'yi-vision'] }),
  entry({ id: 32, name: 'StepFun', description: 'StepFun, OpenAI-compatible.', defaultBaseUrl: 'https://api.stepfun.com', adapter: 'openai', models: ['step-1-8k', 'step-1-32k', 'step-1-128k', 'step-1v-8k'] }),
  entry({
    id: 33,
    name: 'AWS Claude (Bedrock)',
    description: 'Claude on Amazon Bedrock (InvokeModel, SigV4-signed): chat, tools and images converted to and from OpenAI shapes.',
    adapter: 'bedrock',
    models: ['claude-3-haiku-20240307', 'claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022', 'claude-3-7-sonnet-20250219', 'claude-sonnet-4-20250514', 'claude-opus-4-20250514'],
    key: keyField('AWS credentials', 'AKIA...|secret|us-east-1', 'ACCESS_KEY|SECRET_KEY|region, as One API stores them. One per line creates one channel per key.'),
    baseUrl: baseUrlField('', false, 'Optional; defaults to https://bedrock-runtime.{region}.amazonaws.com.'),
  }),
  entry({
    id: 34,
    name: 'Coze',
    description: 'Coze bots through the chat API v3 (streamed; JSON clients get the answer assembled); the model names the bot as bot-{bot_id}.',
    defaultBaseUrl: 'https://api.coze.com',
    adapter: 'coze',
    key: keyField('Personal access token', 'pat_...'),
  }),
  entry({
    id: 35,
    name: 'Cohere',
    description: 'Cohere: chat through its v2 API (/v2/chat, tools and streams converted to and from OpenAI shapes) and rerank (/v2/rerank, billed per search unit).',
    defaultBaseUrl: 'https://api.cohere.ai',
    adapter: 'cohere',
    models: ['command-a-03-2025', 'command-r-plus-08-2024', 'command-r-08-2024', 'command-r7b-12-2024', 'rerank-v3.5', 'rerank-english-v3.0', 'rerank-multilingual-v3.0'],
  }),
  entry({
    id: 36,
    name: 'DeepSeek',
    description: 'DeepSeek, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.deepseek.com',
    adapter: 'openai',
    models: ['deepseek-chat', 'deepseek-reasoner'],
    balance: true,
  }),
  entry({
    id: 37,
    name: 'Cloudflare Workers AI',
    description: "Workers AI through its OpenAI-compatible endpoints under your account (chat, embeddings); the key is an API token.",
    defaultBaseUrl: 'https://api.cloudflare.com',
    adapter: 'cloudflare',
    models: ['@cf/meta/llama-3.1-8b-instruct', '@cf/meta/llama-3.3-70b-instruct-fp8-fast', '@cf/qwen/qwen1.5-14b-chat-awq', '@cf/baai/bge-base-en-v1.5'],
    key: keyField('API token', 'Cloudflare API token'),
    config: [{ name: 'user_id', label: 'Account ID', placeholder: '023e105f4ecef8ad9ca31a8372d0c353', hint: 'Your Cloudflare account id (One API stores it as user_id). Not needed with an AI Gateway base URL ending in /workers-ai.', required: false }],
  }),
  entry({
    id: 38,
    name: 'DeepL',
    description: 'DeepL translation as chat: the last message is translated into the language the model names (deepl-en, deepl-ja, ...); DeepL reports no tokens, so the relay counts them.',
    defaultBaseUrl: 'https://api-free.deepl.com',
    adapter: 'deepl',
    models: ['deepl-zh', 'deepl-en', 'deepl-ja'],
    key: keyField('Authentication key', 'xxxxxxxx-...:fx'),
    baseUrl: baseUrlField('https://api-free.deepl.com', false, 'Optional; free keys (ending in :fx) use https://api-free.deepl.com, others https://api.deepl.com.'),
  }),
  entry({
    id: 39,
    name: 'Together AI',
    description: 'Together AI, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.together.xyz',
    adapter: 'openai',
    models: ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'Qwen/Qwen2.5-72B-Instruct-Turbo', 'deepseek-ai/DeepSeek-V3'],
  }),
  entry({
    id: 40,
    name: 'Doubao (Volcengine Ark)',
    description: 'Volcengine Ark, OpenAI-compatible (/api/v3); the model is your endpoint id (ep-...).',
    defaultBaseUrl: 'https://ark.cn-beijing.volces.com',
    adapter: 'openai',
    models: ['doubao-pro-32k', 'doubao-lite-32k', 'doubao-embedding'],
  }),
  entry({ id: 41, name: 'Novita AI', description: 'Novita AI, OpenAI-compatible.', defaultBaseUrl: 'https://api.novita.ai/v3/openai', adapter: 'openai', models: ['meta-llama/llama-3.1-8b-instruct', 'meta-llama/llama-3.1-70b-instruct'] }),
  entry({
    id: 42,
    name: 'Google Vertex AI',
    description: 'Gemini and Claude on Vertex AI, authenticated with a service-account key (JWT exchanged for an access token, cached).',
    adapter: 'vertex',
    models: ['gemini-1.5-flash', 'gemini-1.5-pro', 'gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro', 'claude-3-5-sonnet-v2@20241022', 'claude-3-7-sonnet@20250219', 'claude-sonnet-4@20250514'],
    key: keyField('Service account', 'us-central1|my-project|{"type":"service_account",...}', 'region|project id|service-account JSON, as One API stores it (or set the config fields below).'),
    baseUrl: baseUrlField('', false, 'Optional; defaults to https://{region}-aiplatform.googleapis.com.'),
    config: [
      { name: 'region', label: 'Region', placeholder: 'us-central1', required: false },
      { name: 'vertex_ai_project_id', label: 'Project id', placeholder: 'my-project', required: false },
      { name: 'vertex_ai_adc', label: 'Service-account JSON key', placeholder: '{"type":"service_account",...}', required: false, secret: true, multiline: true },
    ],
  }),
  entry({
    id: 43,
    name: 'Proxy',
    description: "One API's raw pass-through: GET, POST and DELETE /v1/oneapi/proxy/{channel id}/{path} go to {base URL}/{path} with the channel key as Authorization; not billed, no OpenAI endpoints.",
    adapter: 'proxy',
    key: keyField('Authorization value', 'Bearer ... (sent as it is)', 'Sent as the Authorization header as it is. One key per line creates one channel per key.'),
    baseUrl: baseUrlField('', true, 'Required: the upstream the proxy path is appended to.'),
  }),
  entry({
    id: 44,
    name: 'SiliconFlow',
    description: 'SiliconFlow, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.siliconflow.cn',
    adapter: 'openai',
    models: ['deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1', 'Qwen/Qwen2.5-7B-Instruct', 'BAAI/bge-m3'],
    balance: true,
  }),
  entry({
    id: 45,
    name: 'xAI',
    description: 'xAI Grok, OpenAI-compatible.',
    defaultBaseUrl: 'https://api.x.ai',
    adapter: 'openai',
    models: ['grok-2', 'grok-2-vision', 'grok-3', 'grok-3-mini', 'grok-beta'],
    key: keyField('API key', 'xai-...'),
  }),
  entry({
    id: 46,
    name: 'Replicate',
    description: "Replicate language models through predictions in sync mode (Prefer: wait): the finished prediction's text and token counts; streams arrive in one burst.",
    defaultBaseUrl: 'https://api.replicate.com',
    adapter: 'replicate',
    models: ['meta/meta-llama-3-70b-instruct', 'meta/meta-llama-3-8b-instruct', 'meta/meta-llama-3.1-405b-instruct', 'mistralai/mixtral-8x7b-instruct-v0.1'],
    key: keyField('API token', 'r8_...'),
  }),
  entry({ id: 47, name: 'Baidu Qianfan V2', description: 'Baidu Qianfan V2, OpenAI-compatible (/v2).', defaultBaseUrl: 'https://qianfan.baidubce.com', adapter: 'openai', models: ['ernie-4.0-8k-latest', 'ernie-3.5-8k', 'ernie-speed-8k', 'ernie-lite-8k'] }),
  entry({ id: 48, name: 'iFlytek Spark V2', description: 'iFlytek Spark HTTP API, OpenAI-compatible; key is APIPassword.', defaultBaseUrl: 'https://spark-api-open.xf-yun.com', adapter: 'openai', models: ['lite', 'generalv3', 'pro-128k', 'generalv3.5', 'max-32k', '4.0Ultra'] }),
  entry({ id: 49, name: 'Alibaba Bailian', description: "Alibaba Cloud Model Studio (Bailian), DashScope's OpenAI-compatible mode.", defaultBaseUrl: 'https://dashscope.aliyuncs.com', adapter: 'openai', models: ['qwen-turbo', 'qwen-plus', 'qwen-max', 'deepseek-v3', 'deepseek-r1'] }),
  entry({
    id: 50,
    name: 'OpenAI-compatible',
    description: 'Any OpenAI-compatible server; the Base URL includes the version path (e.g. https://host/v1) and /chat/completions etc. is appended.',
    adapter: 'openai',
    models: OPENAI_MODELS,
    balance: true,
    baseUrl: baseUrlField('', true, 'Required, including the version path, e.g. https://api.example.com/v1'),
  }),
  entry({
    id: 51,
    name: 'Gemini (OpenAI-compatible)',
    description: "Google's OpenAI-compatible Gemini endpoint.",
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    adapter: 'openai',
    models: ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro', 'text-embedding-004'],
    key: keyField('API key', 'AIza...'),
  }),
  // Ids from 100 are types One API does not have, so a later One API id never collides with them.
  entry({
    id: 100,
    name: 'Jina AI',
    description: 'Jina AI reranker and embeddings (/v1/rerank, /v1/embeddings).',
    defaultBaseUrl: 'https://api.jina.ai',
    adapter: 'openai',
    models: ['jina-reranker-v2-base-multilingual', 'jina-reranker-m0', 'jina-embeddings-v3'],
    key: keyField('API key', 'jina_...'),
  }),
  entry({
    id: 101,
    name: 'Xinference',
    description: 'Xorbits Inference (self-hosted), OpenAI-compatible plus /v1/rerank; the Base URL is your server.',
    adapter: 'openai',
    models: ['bge-reranker-v2-m3', 'qwen2.5-instruct', 'bge-m3'],
  }),
];

const BY_ID = new Map<number, ChannelTypeInfo>(CHANNEL_TYPES.map((t) => [t.id, t]));

/** Looks up a channel type by One API's numeric id; undefined for unknown ids. */
export function getChannelType(id: number): ChannelTypeInfo | undefined {
  return BY_ID.get(id);
}

/** Well-known ids, for code that needs to name one (tests, special cases). */
export const ChannelType = {
  OpenAI: 1,
  API2D: 2,
  Azure: 3,
  CloseAI: 4,
  OpenAISB: 5,
  OpenAIMax: 6,
  OhMyGPT: 7,
  Custom: 8,
  Ails: 9,
  AIProxy: 10,
  API2GPT: 12,
  AIGC2D: 13,
  Anthropic: 14,
  Baidu: 15,
  Zhipu: 16,
  Ali: 17,
  AI360: 19,
  OpenRouter: 20,
  AIProxyLibrary: 21,
  FastGPT: 22,
  Tencent: 23,
  Gemini: 24,
  Moonshot: 25,
  Baichuan: 26,
  Minimax: 27,
  Mistral: 28,
  Groq: 29,
  Ollama: 30,
  LingYiWanWu: 31,
  StepFun: 32,
  AwsClaude: 33,
  Coze: 34,
  DeepSeek: 36,
  Cloudflare: 37,
  DeepL: 38,
  TogetherAI: 39,
  Doubao: 40,
  Novita: 41,
  VertexAI: 42,
  Proxy: 43,
  SiliconFlow: 44,
  XAI: 45,
  Replicate: 46,
  BaiduV2: 47,
  XunfeiV2: 48,
  AliBailian: 49,
  OpenAICompatible: 50,
  GeminiOpenAICompatible: 51,
  Cohere: 35,
  Jina: 100,
  Xinference: 101,
} as const;
