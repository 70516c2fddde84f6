/**
 * Quota maths in One API's units. Quota is integer money: `QUOTA_PER_UNIT` (500000) quota = $1,
 * and 1 quota = 1 prompt token at model ratio 1 (= $0.002 / 1K tokens).
 * Every function returns a non-negative safe integer.
 */

/** Default `QuotaPerUnit`: quota per US dollar. */
export const QUOTA_PER_UNIT = 500000;

/** Guard against float noise such as 0.1 × 3 = 0.30000000000000004 turning into an extra unit. */
const EPS = 1e-9;

function ceilQuota(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 0;
  return Math.ceil(x - EPS);
}

function truncQuota(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 0;
  return Math.floor(x + EPS);
}

function count(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Inputs of {@link preConsumedQuota}. */
export interface PreConsumeInput {
  promptTokens: number;
  /** The request's `max_tokens` (or `max_completion_tokens`); null/undefined/0 when absent. */
  maxTokens?: number | null;
  /** The `PreConsumedQuota` option (default 500). */
  preConsumedQuota: number;
  modelRatio: number;
  groupRatio: number;
}

/**
 * Quota to reserve before relaying (SPEC section 6):
 * `ceil((PreConsumedQuota + prompt + max_tokens) × modelRatio × groupRatio)`.
 * 0 when the combined ratio is 0 (free model or group).
 */
export function preConsumedQuota(input: PreConsumeInput): number {
  const tokens = count(input.preConsumedQuota) + count(input.promptTokens) + count(input.maxTokens);
  return ceilQuota(tokens * input.modelRatio * input.groupRatio);
}

/**
 * Prompt-cache prices relative to the input (model) ratio, as the providers bill them and as
 * One API's successors default them: a cache read costs 0.1× an input token, a cache write
 * (Anthropic's 5-minute cache) 1.25×. https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing
 */
export const CACHE_READ_RATIO = 0.1;
export const CACHE_WRITE_RATIO = 1.25;

/** Inputs of {@link settleQuota}. */
export interface SettleInput {
  /** Every prompt token, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  modelRatio: number;
  completionRatio: number;
  groupRatio: number;
  /** Of `promptTokens`, those read from the prompt cache (billed × {@link CACHE_READ_RATIO}). */
  cacheReadTokens?: number;
  /** Of `promptTokens`, those written to the prompt cache (billed × {@link CACHE_WRITE_RATIO}). */
  cacheWriteTokens?: number;
}

/**
 * Quota charged after the response:
 * `ceil((prompt + completion × completionRatio) × modelRatio × groupRatio)`,
 * at least 1 when `modelRatio × groupRatio` is non-zero (One API never bills a priced request 0),
 * and 0 when it is 0. Cached prompt tokens count at their cache ratio instead of 1:
 * `prompt = uncached + cacheRead × 0.1 + cacheWrite × 1.25`.
 */
export function settleQuota(input: SettleInput): number {
  const ratio = input.modelRatio * input.groupRatio;
  if (!(ratio > 0)) return 0;
  const prompt = count(input.promptTokens);
  const read = Math.min(count(input.cacheReadTokens), prompt);
  const write = Math.min(count(input.cacheWriteTokens), prompt - read);
  const weightedPrompt = prompt - read - write + read * CACHE_READ_RATIO + write * CACHE_WRITE_RATIO;
  const weighted = weightedPrompt + count(input.completionTokens) * Math.max(0, input.completionRatio);
  return Math.max(1, ceilQuota(weighted * ratio));
}

/** Inputs of {@link imageQuota}. */
export interface ImageQuotaInput {
  /** The image model's ratio: the per-image price in ratio units (dall-e-3: 20 = $0.04). */
  modelRatio: number;
  groupRatio: number;
  /** From `getImageRatio(model, size, quality)`. */
  imageRatio: number;
  /** Number of images requested (default 1). */
  n?: number;
}

/**
 * Price of an image generation, One API style:
 * `trunc(modelRatio × groupRatio × imageRatio × 1000) × n`
 * (dall-e-3 1024x1024 standard, n=1, group 1 → 20000 quota = $0.04).
 */
export function imageQuota(input: ImageQuotaInput): number {
  const n = input.n === undefined ? 1 : count(input.n);
  return truncQuota(input.modelRatio * input.groupRatio * input.imageRatio * 1000) * n;
}

/**
 * Text-to-speech price: `ceil(characters × modelRatio × groupRatio)` (tts-1 ratio 7.5 →
 * 7500 quota = $0.015 per 1K characters). Characters are Unicode code points of `input`
 * (One API counts UTF-8 bytes, which overcharges non-ASCII text 2–4×; OpenAI bills characters).
 */
export function speechQuota(input: { text: string; modelRatio: number; groupRatio: number }): number {
  let chars = 0;
  for (const _ of input.text) chars++;
  return ceilQuota(chars * input.modelRatio * input.groupRatio);
}

/**
 * Reservation for an audio transcription/translation, whose length is unknown until the upstream
 * answers: `ceil(PreConsumedQuota × modelRatio × groupRatio)` as One API.
 */
export function audioPreConsumedQuota(input: { preConsumedQuota: number; modelRatio: number; groupRatio: number }): number {
  return ceilQuota(count(input.preConsumedQuota) * input.modelRatio * input.groupRatio);
}

/**
 * Price of a transcription/translation: tokens of the returned text × modelRatio × groupRatio,
 * rounded up (whisper-1 ratio 15 ≈ $0.006 / minute). At least 1 when the ratio is non-zero.
 */
export function transcriptionQuota(input: { textTokens: number; modelRatio: number; groupRatio: number }): number {
  return settleQuota({
    promptTokens: 0,
    completionTokens: input.textTokens,
    completionRatio: 1,
    modelRatio: input.modelRatio,
    groupRatio: input.groupRatio,
  });
}

/** Quota → US dollars (`quota / perUnit`). A non-positive `perUnit` falls back to 500000. */
export function quotaToUsd(quota: number, perUnit: number = QUOTA_PER_UNIT): number {
  const unit = perUnit > 0 ? perUnit : QUOTA_PER_UNIT;
  return quota / unit;
}

/** US dollars → quota, rounded to the nearest integer (for top-ups and admin forms). */
export function usdToQuota(usd: number, perUnit: number = QUOTA_PER_UNIT): number {
  const unit = perUnit > 0 ? perUnit : QUOTA_PER_UNIT;
  return Math.round(usd * unit);
}

/** Options of {@link formatQuota}. */
export interface FormatQuotaOptions {
  /** `DisplayInCurrencyEnabled`: show dollars instead of raw quota. */
  displayInCurrency: boolean;
  /** `QuotaPerUnit` (default 500000). */
  perUnit?: number;
  /** Decimal places of the dollar amount (default 6, as in log and balance views). */
  digits?: number;
}

/**
 * Quota for display, like One API's console `renderQuota`: `"$0.012345"` in currency mode,
 * otherwise the integer (`"1234"`).
 */
export function formatQuota(quota: number, options: FormatQuotaOptions): string {
  if (options.displayInCurrency) {
    const digits = options.digits ?? 6;
    return `$${quotaToUsd(quota, options.perUnit).toFixed(digits)}`;
  }
  return String(Math.trunc(quota));
}
