/**
 * The one place the relay calls @oneapi/domain for prices and token counts (ratios, quota maths,
 * option registry and tokenizer live there; the relay keeps no copy of them).
 */
import {
  countInputTokens as domainCountInput,
  countMessagesTokens as domainCountMessages,
  countTextTokens as domainCountText,
  getCompletionRatio,
  getGroupRatio,
  getImageRatio,
  audioPreConsumedQuota,
  checkImageRequest,
  imageQuota,
  speechQuota,
  transcriptionQuota,
  lookupModelRatio,
  preConsumedQuota,
  preloadTokenizer,
  readOptions,
  settleQuota,
} from '@oneapi/domain';
import type { Ratios, RelayOptions } from './pricing';
import { PromptTokenMemo } from './prompt-token-memo';

export interface PricingView {
  options: RelayOptions;
  ratios(model: string, group: string): Ratios | null;
  reserve(prompt: number, maxTokens: number | null, r: Ratios): number;
  settle(prompt: number, completion: number, r: Ratios, cache?: { read: number; write: number }): number;
  image(model: string, size: string | undefined, quality: string | undefined, n: number, r: Ratios): number;
  speech(text: string, r: Ratios): number;
  audioReserve(r: Ratios): number;
  transcription(textTokens: number, r: Ratios): number;
  textTokens(text: string, model: string): number;
  messagesTokens(messages: unknown[], model: string): number;
  inputTokens(input: unknown, model: string): number;
}

/** A typed, memoisable view of the options table for one options revision. */
export function pricingView(raw: Readonly<Record<string, string>>): PricingView {
  const o = readOptions(raw);
  const counting = { approximate: o.ApproximateTokenEnabled };
  const memo = new Map<string, Ratios | null>();
  // Per options revision too: ApproximateTokenEnabled changes every count.
  const prompts = new PromptTokenMemo();
  const options: RelayOptions = {
    retryTimes: o.RetryTimes,
    autoDisable: o.AutomaticDisableChannelEnabled,
    preConsumedQuota: o.PreConsumedQuota,
    quotaPerUnit: o.QuotaPerUnit,
    displayInCurrency: o.DisplayInCurrencyEnabled,
    displayTokenStat: o.DisplayTokenStatEnabled,
    tokenRequestsPerMinute: o.TokenRequestsPerMinute,
    userRequestsPerMinute: o.UserRequestsPerMinute,
    tokenTokensPerMinute: o.TokenTokensPerMinute,
    userConcurrencyLimit: o.UserConcurrencyLimit,
    tokenConcurrencyLimit: o.TokenConcurrencyLimit,
  };
  return {
    options,
    ratios(model, group) {
      // Memoised per options revision (this view is rebuilt when options change).
      const key = `${group}\u0000${model}`;
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      const m = lookupModelRatio(model, o.ModelRatio);
      const r =
        !m.known && o.RefuseUnknownModel
          ? null
          : { modelRatio: m.ratio, completionRatio: getCompletionRatio(model, o.CompletionRatio), groupRatio: getGroupRatio(group, o.GroupRatio) };
      if (memo.size < 10_000) memo.set(key, r);
      return r;
    },
    reserve: (promptTokens, maxTokens, r) =>
      preConsumedQuota({ promptTokens, maxTokens, preConsumedQuota: o.PreConsumedQuota, modelRatio: r.modelRatio, groupRatio: r.groupRatio }),
    settle: (promptTokens, completionTokens, r, cache) =>
      settleQuota({
        promptTokens,
        completionTokens,
        modelRatio: r.modelRatio,
        completionRatio: r.completionRatio,
        groupRatio: r.groupRatio,
        cacheReadTokens: cache?.read,
        cacheWriteTokens: cache?.write,
      }),
    image: (model, size, quality, n, r) =>
      imageQuota({ modelRatio: r.modelRatio, groupRatio: r.groupRatio, imageRatio: getImageRatio(model, size ?? '1024x1024', quality), n }),
    speech: (text, r) => speechQuota({ text, modelRatio: r.modelRatio, groupRatio: r.groupRatio }),
    audioReserve: (r) => audioPreConsumedQuota({ preConsumedQuota: o.PreConsumedQuota, modelRatio: r.modelRatio, groupRatio: r.groupRatio }),
    transcription: (textTokens, r) => transcriptionQuota({ textTokens, modelRatio: r.modelRatio, groupRatio: r.groupRatio }),
    // The tokenizer bounds its own work per call (long runs sliced, sampled past a budget), so
    // counting on the event loop is safe even for megabyte prompts.
    textTokens: (text, model) => domainCountText(model, text, counting),
    messagesTokens: (messages, model) => prompts.messagesTokens(model, messages, (m) => domainCountMessages(model, m, counting)),
    inputTokens: (input, model) => domainCountInput(model, input as Parameters<typeof domainCountInput>[1], counting),
  };
}


/**
 * One API's image-request checks (prompt, size for the model, prompt length, n range) with its
 * defaults applied (size 1024x1024, n 1); `{code, message}` for a 400, or null.
 */
export function checkImage(model: string, json: Record<string, unknown>): { code: string; message: string } | null {
  return checkImageRequest({
    model,
    prompt: typeof json.prompt === 'string' ? json.prompt : '',
    size: typeof json.size === 'string' && json.size !== '' ? json.size : '1024x1024',
    n: json.n === undefined || json.n === null ? 1 : (json.n as number),
    quality: typeof json.quality === 'string' ? json.quality : undefined,
  });
}

/** Loads the BPE ranks once at boot so no request pays for it (seconds on a busy box). */
export function preloadTokenCounting(): void {
  preloadTokenizer();
}
