/**
 * Pricing ratios, as One API defines them (relay/billing/ratio/{model,group,image}.go in
 * https://github.com/songquanpeng/one-api).
 *
 * Units: a model ratio of 1 means $0.002 per 1K tokens (so $1 = 500 ratio-units per 1K tokens,
 * and with `QuotaPerUnit` 500000, one token at ratio 1 costs 1 quota). The completion ratio
 * multiplies output tokens relative to input tokens. Group ratios multiply everything.
 *
 * Operators override the defaults with the JSON options `ModelRatio`, `CompletionRatio` and
 * `GroupRatio`; like One API, a model missing from the override falls back to these defaults.
 */

/** A parsed ratio option: model (or group) name → non-negative ratio. */
export type RatioMap = Readonly<Record<string, number>>;

/** Ratio One API charges for a model it has no price for. */
export const UNKNOWN_MODEL_RATIO = 30;
/** Ratio units per US dollar per 1K tokens (ratio 1 = $0.002 / 1K tokens). */
export const RATIO_UNITS_PER_USD = 500;
/** One API's fixed exchange rate for prices quoted in RMB. */
export const USD_TO_RMB = 7;

// Go evaluates `0.8 / 1000 * USD` as an exact constant and rounds once; these helpers do the
// same (round the decimal product, then one division) so the JSON we emit equals One API's.
const round15 = (x: number): number => Number(x.toPrecision(15));
/** $ per 1K tokens → ratio. */
const usdPer1K = (price: number): number => round15(price * RATIO_UNITS_PER_USD);
/** $ per 1M tokens → ratio (One API's `MILLI_USD` and `x / 1000000 * USD` forms). */
const usdPer1M = (price: number): number => round15(price * RATIO_UNITS_PER_USD) / 1000;
/** ¥ per 1K tokens → ratio. */
const rmbPer1K = (price: number): number => round15(price * RATIO_UNITS_PER_USD) / USD_TO_RMB;
/** ¥ per 1M tokens → ratio. */
const rmbPer1M = (price: number): number => round15(price * RATIO_UNITS_PER_USD) / 1000 / USD_TO_RMB;

/**
 * One API's default `ModelRatio` table (v0.6.x), every entry kept so a One API operator's
 * prices carry over. Keys of the form `model(channelType)` price a model on one channel type
 * only (33 = AWS), exactly as One API looks them up.
 */
export const DEFAULT_MODEL_RATIO: RatioMap = Object.freeze({
  // OpenAI — https://openai.com/pricing
  'gpt-4': 15,
  'gpt-4-0314': 15,
  'gpt-4-0613': 15,
  'gpt-4-32k': 30,
  'gpt-4-32k-0314': 30,
  'gpt-4-32k-0613': 30,
  'gpt-4-1106-preview': 5,
  'gpt-4-0125-preview': 5,
  'gpt-4-turbo-preview': 5,
  'gpt-4-turbo': 5,
  'gpt-4-turbo-2024-04-09': 5,
  'gpt-4o': 2.5,
  'chatgpt-4o-latest': 2.5,
  'gpt-4o-2024-05-13': 2.5,
  'gpt-4o-2024-08-06': 1.25,
  'gpt-4o-2024-11-20': 1.25,
  'gpt-4o-mini': 0.075,
  'gpt-4o-mini-2024-07-18': 0.075,
  'gpt-4-vision-preview': 5,
  // Audio models: this is the text price; the audio-token multiplier is AUDIO_PROMPT_RATIO.
  'gpt-4o-audio-preview': 1.25,
  'gpt-4o-audio-preview-2024-12-17': 1.25,
  'gpt-4o-audio-preview-2024-10-01': 1.25,
  'gpt-4o-mini-audio-preview': usdPer1M(0.15),
  'gpt-4o-mini-audio-preview-2024-12-17': usdPer1M(0.15),
  'gpt-3.5-turbo': 0.25,
  'gpt-3.5-turbo-0301': 0.75,
  'gpt-3.5-turbo-0613': 0.75,
  'gpt-3.5-turbo-16k': 1.5,
  'gpt-3.5-turbo-16k-0613': 1.5,
  'gpt-3.5-turbo-instruct': 0.75,
  'gpt-3.5-turbo-1106': 0.5,
  'gpt-3.5-turbo-0125': 0.25,
  o1: 7.5,
  'o1-2024-12-17': 7.5,
  'o1-preview': 7.5,
  'o1-preview-2024-09-12': 7.5,
  'o1-mini': 1.5,
  'o1-mini-2024-09-12': 1.5,
  'o3-mini': usdPer1M(1.1),
  'o3-mini-2025-01-31': usdPer1M(1.1),
  // Newer OpenAI models One API v0.6 does not list; priced from https://openai.com/api/pricing
  // so they do not fall to the unknown-model ratio (30).
  o3: usdPer1M(2),
  'o4-mini': usdPer1M(1.1),
  'gpt-4.1': usdPer1M(2),
  'gpt-4.1-2025-04-14': usdPer1M(2),
  'gpt-4.1-mini': usdPer1M(0.4),
  'gpt-4.1-mini-2025-04-14': usdPer1M(0.4),
  'gpt-4.1-nano': usdPer1M(0.1),
  'gpt-4.1-nano-2025-04-14': usdPer1M(0.1),
  'gpt-5': usdPer1M(1.25),
  'gpt-5-mini': usdPer1M(0.25),
  'gpt-5-nano': usdPer1M(0.05),
  'omni-moderation-latest': 0.1,
  'davinci-002': 1,
  'babbage-002': 0.2,
  'text-ada-001': 0.2,
  'text-babbage-001': 0.25,
  'text-curie-001': 1,
  'text-davinci-002': 10,
  'text-davinci-003': 10,
  'text-davinci-edit-001': 10,
  'code-davinci-edit-001': 10,
  // $0.006 / minute ≈ $0.006 / 200 tokens → $0.03 / 1K tokens
  'whisper-1': 15,
  // TTS is priced per input character: quota = characters × ratio (see ttsQuota)
  'tts-1': 7.5,
  'tts-1-1106': 7.5,
  'tts-1-hd': 15,
  'tts-1-hd-1106': 15,
  davinci: 10,
  curie: 10,
  babbage: 10,
  ada: 10,
  'text-embedding-ada-002': 0.05,
  'text-embedding-3-small': 0.01,
  'text-embedding-3-large': 0.065,
  'text-search-ada-doc-001': 10,
  'text-moderation-stable': 0.1,
  'text-moderation-latest': 0.1,
  // Images are priced per image: quota = ratio × size ratio × 1000 × n (see imageQuota)
  'dall-e-2': usdPer1K(0.02),
  'dall-e-3': usdPer1K(0.04),
  // Anthropic — https://www.anthropic.com/api#pricing
  'claude-instant-1.2': usdPer1M(0.8),
  'claude-2.0': usdPer1M(8.0),
  'claude-2.1': usdPer1M(8.0),
  'claude-3-haiku-20240307': usdPer1M(0.25),
  'claude-3-5-haiku-20241022': usdPer1M(1.0),
  'claude-3-sonnet-20240229': usdPer1M(3.0),
  'claude-3-5-sonnet-20240620': usdPer1M(3.0),
  'claude-3-5-sonnet-20241022': usdPer1M(3.0),
  'claude-3-opus-20240229': usdPer1M(15.0),
  'claude-3-5-haiku-latest': usdPer1M(1.0),
  'claude-3-5-sonnet-latest': usdPer1M(3.0),
  'claude-3-7-sonnet-20250219': usdPer1M(3.0),
  'claude-3-7-sonnet-latest': usdPer1M(3.0),
  'claude-sonnet-4-20250514': usdPer1M(3.0),
  'claude-opus-4-20250514': usdPer1M(15.0),
  // Baidu — https://cloud.baidu.com/doc/WENXINWORKSHOP/s/hlrk4akp7
  'ERNIE-4.0-8K': rmbPer1K(0.12),
  'ERNIE-3.5-8K': rmbPer1K(0.012),
  'ERNIE-3.5-8K-0205': rmbPer1K(0.024),
  'ERNIE-3.5-8K-1222': rmbPer1K(0.012),
  'ERNIE-Bot-8K': rmbPer1K(0.024),
  'ERNIE-3.5-4K-0205': rmbPer1K(0.012),
  'ERNIE-Speed-8K': rmbPer1K(0.004),
  'ERNIE-Speed-128K': rmbPer1K(0.004),
  'ERNIE-Lite-8K-0922': rmbPer1K(0.008),
  'ERNIE-Lite-8K-0308': rmbPer1K(0.003),
  'ERNIE-Tiny-8K': rmbPer1K(0.001),
  'BLOOMZ-7B': rmbPer1K(0.004),
  'Embedding-V1': rmbPer1K(0.002),
  'bge-large-zh': rmbPer1K(0.002),
  'bge-large-en': rmbPer1K(0.002),
  'tao-8k': rmbPer1K(0.002),
  // Google Gemini — https://ai.google.dev/pricing
  'gemini-pro': 1,
  'gemini-1.0-pro': 1,
  'gemini-1.5-pro': 1,
  'gemini-1.5-pro-001': 1,
  'gemini-1.5-flash': 1,
  'gemini-1.5-flash-001': 1,
  'gemini-2.0-flash-exp': 1,
  'gemini-2.0-flash-thinking-exp': 1,
  'gemini-2.0-flash-thinking-exp-01-21': 1,
  aqa: 1,
  // Zhipu — https://open.bigmodel.cn/pricing
  'glm-zero-preview': rmbPer1K(0.01),
  'glm-4-plus': rmbPer1K(0.05),
  'glm-4-0520': rmbPer1K(0.1),
  'glm-4-airx': rmbPer1K(0.01),
  'glm-4-air': rmbPer1K(0.0005),
  'glm-4-long': rmbPer1K(0.001),
  'glm-4-flashx': rmbPer1K(0.0001),
  'glm-4-flash': 0,
  'glm-4': rmbPer1K(0.1),
  'glm-3-turbo': rmbPer1K(0.001),
  'glm-4v-plus': rmbPer1K(0.004),
  'glm-4v': rmbPer1K(0.05),
  'glm-4v-flash': 0,
  'cogview-3-plus': rmbPer1K(0.06),
  'cogview-3': rmbPer1K(0.1),
  'cogview-3-flash': 0,
  cogviewx: rmbPer1K(0.5),
  'cogviewx-flash': 0,
  'charglm-4': rmbPer1K(0.001),
  emohaa: rmbPer1K(0.015),
  'codegeex-4': rmbPer1K(0.0001),
  'embedding-2': rmbPer1K(0.0005),
  'embedding-3': rmbPer1K(0.0005),
  // Alibaba — https://help.aliyun.com/zh/dashscope/developer-reference/tongyi-thousand-questions-metering-and-billing
  ...Object.fromEntries(
    [
      'qwen-turbo', 'qwen-turbo-latest', 'qwen-plus', 'qwen-plus-latest', 'qwen-max', 'qwen-max-latest',
      'qwen-max-longcontext', 'qwen-vl-max', 'qwen-vl-max-latest', 'qwen-vl-plus', 'qwen-vl-plus-latest',
      'qwen-vl-ocr', 'qwen-vl-ocr-latest', 'qwen-audio-turbo', 'qwen-math-plus', 'qwen-math-plus-latest',
      'qwen-math-turbo', 'qwen-math-turbo-latest', 'qwen-coder-plus', 'qwen-coder-plus-latest',
      'qwen-coder-turbo', 'qwen-coder-turbo-latest', 'qwq-32b-preview', 'qwen2.5-72b-instruct',
      'qwen2.5-32b-instruct', 'qwen2.5-14b-instruct', 'qwen2.5-7b-instruct', 'qwen2.5-3b-instruct',
      'qwen2.5-1.5b-instruct', 'qwen2.5-0.5b-instruct', 'qwen2-72b-instruct', 'qwen2-57b-a14b-instruct',
      'qwen2-7b-instruct', 'qwen2-1.5b-instruct', 'qwen2-0.5b-instruct', 'qwen1.5-110b-chat',
      'qwen1.5-72b-chat', 'qwen1.5-32b-chat', 'qwen1.5-14b-chat', 'qwen1.5-7b-chat', 'qwen1.5-1.8b-chat',
      'qwen1.5-0.5b-chat', 'qwen-72b-chat', 'qwen-14b-chat', 'qwen-7b-chat', 'qwen-1.8b-chat',
      'qwen-1.8b-longcontext-chat', 'qwen2-vl-7b-instruct', 'qwen2-vl-2b-instruct', 'qwen-vl-v1',
      'qwen-vl-chat-v1', 'qwen2-audio-instruct', 'qwen-audio-chat', 'qwen2.5-math-72b-instruct',
      'qwen2.5-math-7b-instruct', 'qwen2.5-math-1.5b-instruct', 'qwen2-math-72b-instruct',
      'qwen2-math-7b-instruct', 'qwen2-math-1.5b-instruct', 'qwen2.5-coder-32b-instruct',
      'qwen2.5-coder-14b-instruct', 'qwen2.5-coder-7b-instruct', 'qwen2.5-coder-3b-instruct',
      'qwen2.5-coder-1.5b-instruct', 'qwen2.5-coder-0.5b-instruct',
    ].map((m) => [m, 1.4286]),
  ),
  'text-embedding-v1': 0.05,
  'text-embedding-v3': 0.05,
  'text-embedding-v2': 0.05,
  'text-embedding-async-v2': 0.05,
  'text-embedding-async-v1': 0.05,
  'ali-stable-diffusion-xl': 8,
  'ali-stable-diffusion-v1.5': 8,
  'wanx-v1': 8,
  // iFlytek, 360, Tencent
  SparkDesk: 1.2858,
  'SparkDesk-v1.1': 1.2858,
  'SparkDesk-v2.1': 1.2858,
  'SparkDesk-v3.1': 1.2858,
  'SparkDesk-v3.1-128K': 1.2858,
  'SparkDesk-v3.5': 1.2858,
  'SparkDesk-v3.5-32K': 1.2858,
  'SparkDesk-v4.0': 1.2858,
  '360GPT_S2_V9': 0.8572,
  'embedding-bert-512-v1': 0.0715,
  embedding_s1_v1: 0.0715,
  semantic_similarity_s1_v1: 0.0715,
  'hunyuan-turbo': rmbPer1K(0.015),
  'hunyuan-large': rmbPer1K(0.004),
  'hunyuan-large-longcontext': rmbPer1K(0.006),
  'hunyuan-standard': rmbPer1K(0.0008),
  'hunyuan-standard-256K': rmbPer1K(0.0005),
  'hunyuan-translation-lite': rmbPer1K(0.005),
  'hunyuan-role': rmbPer1K(0.004),
  'hunyuan-functioncall': rmbPer1K(0.004),
  'hunyuan-code': rmbPer1K(0.004),
  'hunyuan-turbo-vision': rmbPer1K(0.08),
  'hunyuan-vision': rmbPer1K(0.018),
  'hunyuan-embedding': rmbPer1K(0.0007),
  // Moonshot, Baichuan, MiniMax
  'moonshot-v1-8k': rmbPer1K(0.012),
  'moonshot-v1-32k': rmbPer1K(0.024),
  'moonshot-v1-128k': rmbPer1K(0.06),
  'Baichuan2-Turbo': rmbPer1K(0.008),
  'Baichuan2-Turbo-192k': rmbPer1K(0.016),
  'Baichuan2-53B': rmbPer1K(0.02),
  'abab6.5-chat': rmbPer1K(0.03),
  'abab6.5s-chat': rmbPer1K(0.01),
  'abab6-chat': rmbPer1K(0.1),
  'abab5.5-chat': rmbPer1K(0.015),
  'abab5.5s-chat': rmbPer1K(0.005),
  // Mistral — https://docs.mistral.ai/platform/pricing/
  'open-mistral-7b': usdPer1M(0.25),
  'open-mixtral-8x7b': usdPer1M(0.7),
  'mistral-small-latest': usdPer1M(2.0),
  'mistral-medium-latest': usdPer1M(2.7),
  'mistral-large-latest': usdPer1M(8.0),
  'mistral-embed': usdPer1M(0.1),
  // Groq — One API writes these as "$ per 1M tokens / 1000000 * USD", i.e. 1000× cheaper than
  // the per-million price it quotes; kept as-is so imported prices do not change.
  'gemma-7b-it': usdPer1M(0.07) / 1000,
  'gemma2-9b-it': usdPer1M(0.2) / 1000,
  'llama-3.1-70b-versatile': usdPer1M(0.59) / 1000,
  'llama-3.1-8b-instant': usdPer1M(0.05) / 1000,
  'llama-3.2-11b-text-preview': usdPer1M(0.05) / 1000,
  'llama-3.2-11b-vision-preview': usdPer1M(0.05) / 1000,
  'llama-3.2-1b-preview': usdPer1M(0.05) / 1000,
  'llama-3.2-3b-preview': usdPer1M(0.05) / 1000,
  'llama-3.2-90b-text-preview': usdPer1M(0.59) / 1000,
  'llama-guard-3-8b': usdPer1M(0.05) / 1000,
  'llama3-70b-8192': usdPer1M(0.59) / 1000,
  'llama3-8b-8192': usdPer1M(0.05) / 1000,
  'llama3-groq-70b-8192-tool-use-preview': usdPer1M(0.89) / 1000,
  'llama3-groq-8b-8192-tool-use-preview': usdPer1M(0.19) / 1000,
  'mixtral-8x7b-32768': usdPer1M(0.24) / 1000,
  // 01.AI, StepFun
  'yi-34b-chat-0205': rmbPer1M(2.5),
  'yi-34b-chat-200k': rmbPer1M(12.0),
  'yi-vl-plus': rmbPer1M(6.0),
  'step-1-8k': rmbPer1M(0.005),
  'step-1-32k': rmbPer1M(0.015),
  'step-1-128k': rmbPer1M(0.04),
  'step-1-256k': rmbPer1M(0.095),
  'step-1-flash': rmbPer1M(0.001),
  'step-2-16k': rmbPer1M(0.038),
  'step-1v-8k': rmbPer1M(0.005),
  'step-1v-32k': rmbPer1M(0.015),
  // AWS Bedrock llama3, channel type 33 only
  'llama3-8b-8192(33)': 0.0003 / 0.002,
  'llama3-70b-8192(33)': 0.00265 / 0.002,
  // Cohere — https://cohere.com/pricing
  command: 0.5,
  'command-nightly': 0.5,
  'command-light': 0.5,
  'command-light-nightly': 0.5,
  'command-r': usdPer1M(0.5),
  'command-r-plus': usdPer1M(3.0),
  // DeepSeek — https://platform.deepseek.com/api-docs/pricing/
  'deepseek-chat': usdPer1M(0.14),
  'deepseek-reasoner': usdPer1M(0.55),
  // DeepL
  'deepl-zh': usdPer1M(25.0),
  'deepl-en': usdPer1M(25.0),
  'deepl-ja': usdPer1M(25.0),
  // xAI — https://console.x.ai/
  'grok-beta': usdPer1M(5.0),
  // Replicate images (per image) and chat models
  'black-forest-labs/flux-1.1-pro': usdPer1K(0.04),
  'black-forest-labs/flux-1.1-pro-ultra': usdPer1K(0.06),
  'black-forest-labs/flux-canny-dev': usdPer1K(0.025),
  'black-forest-labs/flux-canny-pro': usdPer1K(0.05),
  'black-forest-labs/flux-depth-dev': usdPer1K(0.025),
  'black-forest-labs/flux-depth-pro': usdPer1K(0.05),
  'black-forest-labs/flux-dev': usdPer1K(0.025),
  'black-forest-labs/flux-dev-lora': usdPer1K(0.032),
  'black-forest-labs/flux-fill-dev': usdPer1K(0.04),
  'black-forest-labs/flux-fill-pro': usdPer1K(0.05),
  'black-forest-labs/flux-pro': usdPer1K(0.055),
  'black-forest-labs/flux-redux-dev': usdPer1K(0.025),
  'black-forest-labs/flux-redux-schnell': usdPer1K(0.003),
  'black-forest-labs/flux-schnell': usdPer1K(0.003),
  'black-forest-labs/flux-schnell-lora': usdPer1K(0.02),
  'ideogram-ai/ideogram-v2': usdPer1K(0.08),
  'ideogram-ai/ideogram-v2-turbo': usdPer1K(0.05),
  'recraft-ai/recraft-v3': usdPer1K(0.04),
  'recraft-ai/recraft-v3-svg': usdPer1K(0.08),
  'stability-ai/stable-diffusion-3': usdPer1K(0.035),
  'stability-ai/stable-diffusion-3.5-large': usdPer1K(0.065),
  'stability-ai/stable-diffusion-3.5-large-turbo': usdPer1K(0.04),
  'stability-ai/stable-diffusion-3.5-medium': usdPer1K(0.035),
  'ibm-granite/granite-20b-code-instruct-8k': usdPer1K(0.1),
  'ibm-granite/granite-3.0-2b-instruct': usdPer1K(0.03),
  'ibm-granite/granite-3.0-8b-instruct': usdPer1K(0.05),
  'ibm-granite/granite-8b-code-instruct-128k': usdPer1K(0.05),
  'meta/llama-2-13b': usdPer1K(0.1),
  'meta/llama-2-13b-chat': usdPer1K(0.1),
  'meta/llama-2-70b': usdPer1K(0.65),
  'meta/llama-2-70b-chat': usdPer1K(0.65),
  'meta/llama-2-7b': usdPer1K(0.05),
  'meta/llama-2-7b-chat': usdPer1K(0.05),
  'meta/meta-llama-3.1-405b-instruct': usdPer1K(9.5),
  'meta/meta-llama-3-70b': usdPer1K(0.65),
  'meta/meta-llama-3-70b-instruct': usdPer1K(0.65),
  'meta/meta-llama-3-8b': usdPer1K(0.05),
  'meta/meta-llama-3-8b-instruct': usdPer1K(0.05),
  'mistralai/mistral-7b-instruct-v0.2': usdPer1K(0.05),
  'mistralai/mistral-7b-v0.1': usdPer1K(0.05),
  'mistralai/mixtral-8x7b-instruct-v0.1': usdPer1K(0.3),
});

/** One API's explicit `CompletionRatio` table; everything else follows the prefix rules. */
export const DEFAULT_COMPLETION_RATIO: RatioMap = Object.freeze({
  'llama3-8b-8192(33)': 0.0006 / 0.0003,
  'llama3-70b-8192(33)': 0.0035 / 0.00265,
  // transcription output is the product, not extra usage: only input is billed
  'whisper-1': 0,
  'deepseek-chat': 0.28 / 0.14,
  'deepseek-reasoner': 2.19 / 0.55,
  // Models whose prefix rule below would be wrong (gpt-4.1 is not priced like gpt-4).
  'gpt-4.1': 4,
  'gpt-4.1-2025-04-14': 4,
  'gpt-4.1-mini': 4,
  'gpt-4.1-mini-2025-04-14': 4,
  'gpt-4.1-nano': 4,
  'gpt-4.1-nano-2025-04-14': 4,
  'gpt-5': 8,
  'gpt-5-mini': 8,
  'gpt-5-nano': 8,
  'claude-sonnet-4-20250514': 5,
  'claude-opus-4-20250514': 5,
});

/** One API's default `GroupRatio`. */
export const DEFAULT_GROUP_RATIO: RatioMap = Object.freeze({ default: 1, vip: 1, svip: 1 });

/** Audio-token price relative to the text price, for the gpt-4o audio models (default 16). */
export const AUDIO_PROMPT_RATIO: RatioMap = Object.freeze({
  'gpt-4o-audio-preview': 16,
  'gpt-4o-audio-preview-2024-12-17': 16,
  'gpt-4o-audio-preview-2024-10-01': 40,
  'gpt-4o-mini-audio-preview': 10 / 0.15,
  'gpt-4o-mini-audio-preview-2024-12-17': 10 / 0.15,
});

/**
 * Size multipliers per image model (One API's `ImageSizeRatios`); a model listed here only
 * accepts these sizes.
 */
export const IMAGE_SIZE_RATIOS: Readonly<Record<string, RatioMap>> = Object.freeze({
  'dall-e-2': { '256x256': 1, '512x512': 1.125, '1024x1024': 1.25 },
  'dall-e-3': { '1024x1024': 1, '1024x1792': 2, '1792x1024': 2 },
  'ali-stable-diffusion-xl': { '512x1024': 1, '1024x768': 1, '1024x1024': 1, '576x1024': 1, '1024x576': 1 },
  'ali-stable-diffusion-v1.5': { '512x1024': 1, '1024x768': 1, '1024x1024': 1, '576x1024': 1, '1024x576': 1 },
  'wanx-v1': { '1024x1024': 1, '720x1280': 1, '1280x720': 1 },
});

/** Allowed `n` per image model, inclusive (One API's `ImageGenerationAmounts`). */
export const IMAGE_GENERATION_AMOUNTS: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  'dall-e-2': [1, 10],
  'dall-e-3': [1, 1],
  'ali-stable-diffusion-xl': [1, 4],
  'ali-stable-diffusion-v1.5': [1, 4],
  'wanx-v1': [1, 4],
  'cogview-3': [1, 1],
});

/** Longest prompt (in bytes, as One API measures it) per image model. */
export const IMAGE_PROMPT_LENGTH_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  'dall-e-2': 1000,
  'dall-e-3': 4000,
  'ali-stable-diffusion-xl': 4000,
  'ali-stable-diffusion-v1.5': 4000,
  'wanx-v1': 4000,
  'cogview-3': 833,
});

/** Result of a model-ratio lookup. `known: false` means the 30 fallback was used. */
export interface ModelRatioLookup {
  ratio: number;
  known: boolean;
}

const has = (map: RatioMap | undefined, key: string): map is RatioMap =>
  map !== undefined && Object.prototype.hasOwnProperty.call(map, key);

/** One API strips `-internet` from qwen-* and command-* names before pricing them. */
function normalizeForPricing(name: string, stripCommand: boolean): string {
  if (name.endsWith('-internet') && (name.startsWith('qwen-') || (stripCommand && name.startsWith('command-')))) {
    return name.slice(0, -'-internet'.length);
  }
  return name;
}

/**
 * Names to try, most specific first: `name(channelType)` then `name`, then (our addition)
 * the dotted form of an Azure deployment-style name (`gpt-35-turbo` → `gpt-3.5-turbo`), since
 * Azure users often send the deployment's model name.
 */
function candidates(name: string, channelType?: number): string[] {
  const out: string[] = [];
  if (channelType !== undefined) out.push(`${name}(${channelType})`);
  out.push(name);
  if (name.startsWith('gpt-35-')) out.push(`gpt-3.5-${name.slice('gpt-35-'.length)}`);
  return out;
}

/**
 * Looks a model's ratio up in the operator's `ModelRatio` option, then in One API's defaults.
 * @param overrides parsed `ModelRatio` option (it replaces the defaults key by key)
 * @param channelType One API channel type id, for `model(type)` keys
 */
export function lookupModelRatio(model: string, overrides?: RatioMap, channelType?: number): ModelRatioLookup {
  const name = normalizeForPricing(model, true);
  for (const key of candidates(name, channelType)) {
    if (has(overrides, key)) return { ratio: overrides[key], known: true };
    if (has(DEFAULT_MODEL_RATIO, key)) return { ratio: DEFAULT_MODEL_RATIO[key], known: true };
  }
  return { ratio: UNKNOWN_MODEL_RATIO, known: false };
}

/**
 * A model's ratio; an unknown model costs {@link UNKNOWN_MODEL_RATIO} (30) like One API. Use
 * {@link lookupModelRatio} or {@link isKnownModel} to tell (and refuse, with `RefuseUnknownModel`).
 */
export function getModelRatio(model: string, overrides?: RatioMap, channelType?: number): number {
  return lookupModelRatio(model, overrides, channelType).ratio;
}

/** Whether the model has a price in the overrides or the defaults. */
export function isKnownModel(model: string, overrides?: RatioMap, channelType?: number): boolean {
  return lookupModelRatio(model, overrides, channelType).known;
}

/**
 * Output-token multiplier: the operator's `CompletionRatio` option, One API's table, then
 * One API's `GetCompletionRatio` prefix rules (gpt-3.5 4/3 except 0125/1106/turbo, gpt-4 2,
 * gpt-4-turbo and *preview 3, gpt-4o 4 except 2024-05-13 3, o1/o3 4, chatgpt-4o-latest 3,
 * claude-3 5, other claude 3, mistral 3, gemini 3, deepseek 2, ...), else 1.
 */
export function getCompletionRatio(model: string, overrides?: RatioMap, channelType?: number): number {
  const name = normalizeForPricing(model, false);
  for (const key of candidates(name, channelType)) {
    if (has(overrides, key)) return overrides[key];
    if (has(DEFAULT_COMPLETION_RATIO, key)) return DEFAULT_COMPLETION_RATIO[key];
  }
  const n = name.startsWith('gpt-35-') ? `gpt-3.5-${name.slice('gpt-35-'.length)}` : name;
  if (n.startsWith('gpt-3.5')) {
    // https://openai.com/blog/new-embedding-models-and-api-updates
    if (n === 'gpt-3.5-turbo' || n.endsWith('0125')) return 3;
    if (n.endsWith('1106')) return 2;
    return 4 / 3;
  }
  if (n.startsWith('gpt-4')) {
    if (n.startsWith('gpt-4o')) return n === 'gpt-4o-2024-05-13' ? 3 : 4;
    if (n.startsWith('gpt-4-turbo') || n.endsWith('preview')) return 3;
    return 2;
  }
  if (n.startsWith('o1') || n.startsWith('o3') || n.startsWith('o4')) return 4;
  if (n === 'chatgpt-4o-latest') return 3;
  if (n.startsWith('claude-3')) return 5;
  if (n.startsWith('claude-')) return 3;
  if (n.startsWith('mistral-')) return 3;
  if (n.startsWith('gemini-')) return 3;
  if (n.startsWith('deepseek-')) return 2;
  return EXACT_COMPLETION_RULES[n] ?? 1;
}

/** The `switch` at the end of One API's GetCompletionRatio. */
const EXACT_COMPLETION_RULES: RatioMap = Object.freeze({
  'llama2-70b-4096': 0.8 / 0.64,
  'llama3-8b-8192': 2,
  'llama3-70b-8192': 0.79 / 0.59,
  command: 2,
  'command-light': 2,
  'command-nightly': 2,
  'command-light-nightly': 2,
  'command-r': 3,
  'command-r-plus': 5,
  'grok-beta': 3,
  'ibm-granite/granite-20b-code-instruct-8k': 5,
  'ibm-granite/granite-3.0-2b-instruct': 8.333333333333334,
  'ibm-granite/granite-3.0-8b-instruct': 5,
  'ibm-granite/granite-8b-code-instruct-128k': 5,
  'meta/llama-2-13b': 5,
  'meta/llama-2-13b-chat': 5,
  'meta/llama-2-7b': 5,
  'meta/llama-2-7b-chat': 5,
  'meta/meta-llama-3-8b': 5,
  'meta/meta-llama-3-8b-instruct': 5,
  'meta/llama-2-70b': 2.75 / 0.65,
  'meta/llama-2-70b-chat': 2.75 / 0.65,
  'meta/meta-llama-3-70b': 2.75 / 0.65,
  'meta/meta-llama-3-70b-instruct': 2.75 / 0.65,
  'meta/meta-llama-3.1-405b-instruct': 1,
  'mistralai/mistral-7b-instruct-v0.2': 5,
  'mistralai/mistral-7b-v0.1': 5,
  'mistralai/mixtral-8x7b-instruct-v0.1': 1 / 0.3,
});

/**
 * A user group's multiplier from the parsed `GroupRatio` option; an unknown group counts as 1
 * (One API logs and uses 1).
 */
export function getGroupRatio(group: string, map: RatioMap = DEFAULT_GROUP_RATIO): number {
  return has(map, group) ? map[group] : 1;
}

/** Audio-token multiplier of a gpt-4o audio model relative to its text price (default 16). */
export function getAudioPromptRatio(model: string): number {
  return has(AUDIO_PROMPT_RATIO, model) ? AUDIO_PROMPT_RATIO[model] : 16;
}

/**
 * Per-image price multiplier for a size and quality, as One API computes it: the size ratio
 * (1 for a model or size without a table entry), ×2 for dall-e-3 `hd` at 1024x1024 and ×1.5 for
 * dall-e-3 `hd` at the other sizes.
 */
export function getImageRatio(model: string, size: string, quality?: string): number {
  const sizes = IMAGE_SIZE_RATIOS[model];
  let ratio = sizes && has(sizes, size) ? sizes[size] : 1;
  if (model === 'dall-e-3' && quality === 'hd') ratio *= size === '1024x1024' ? 2 : 1.5;
  return ratio;
}

/** An image request's billing-relevant fields, with One API's defaults applied by the caller. */
export interface ImageRequestShape {
  model: string;
  prompt: string;
  size: string;
  n: number;
  quality?: string;
}

/**
 * One API's image-request checks; returns `{code, message}` for a 400, or null when valid.
 * Codes match One API's: prompt_missing, size_not_supported, prompt_too_long, n_not_within_range.
 */
export function checkImageRequest(req: ImageRequestShape): { code: string; message: string } | null {
  if (!req.prompt) return { code: 'prompt_missing', message: 'prompt is required' };
  const sizes = IMAGE_SIZE_RATIOS[req.model];
  if (req.model !== 'cogview-3' && sizes && !has(sizes, req.size)) {
    return { code: 'size_not_supported', message: 'size not supported for this image model' };
  }
  const limit = IMAGE_PROMPT_LENGTH_LIMITS[req.model];
  if (limit !== undefined && utf8Length(req.prompt) > limit) {
    return { code: 'prompt_too_long', message: 'prompt is too long' };
  }
  const amounts = IMAGE_GENERATION_AMOUNTS[req.model];
  if (amounts && (!Number.isInteger(req.n) || req.n < amounts[0] || req.n > amounts[1])) {
    return { code: 'n_not_within_range', message: 'invalid value of n' };
  }
  return null;
}

/** UTF-8 byte length without Buffer (this library also runs in the browser). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Parses and validates a ratio JSON option (`ModelRatio`, `CompletionRatio`, `GroupRatio`):
 * a JSON object whose values are finite, non-negative numbers.
 * @throws Error with a message naming the offending key, fit to show an operator
 */
export function parseRatioJson(text: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('must be a JSON object mapping names to numbers, e.g. {"gpt-4o": 2.5}');
  }
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key.trim() === '') throw new Error('names must not be empty');
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`value of "${key}" must be a number, got ${JSON.stringify(value)}`);
    }
    if (value < 0) throw new Error(`value of "${key}" must not be negative, got ${value}`);
    out[key] = value;
  }
  return out;
}

/** Like {@link parseRatioJson} but returns an error message instead of throwing. */
export function validateRatioJson(text: string): { ok: true; value: Record<string, number> } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseRatioJson(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** The JSON text of a ratio map, as stored in the `options` table. */
export function ratioMapToJson(map: RatioMap): string {
  return JSON.stringify(map);
}
