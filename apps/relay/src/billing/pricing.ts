/**
 * The relay's view of prices, options and token counts. Everything here DELEGATES to
 * @oneapi/domain (ratios, quota maths, option registry, tokenizer): the relay never keeps its own
 * copy. Memoised per options revision so a request costs a few Map lookups.
 */
import type { OptionsStore } from '@oneapi/platform';
import * as domain from './domain-bridge';

export interface Ratios {
  modelRatio: number;
  completionRatio: number;
  groupRatio: number;
}

/** Typed options the relay reads on every request. */
export interface RelayOptions {
  retryTimes: number;
  autoDisable: boolean;
  preConsumedQuota: number;
  quotaPerUnit: number;
  displayInCurrency: boolean;
  displayTokenStat: boolean;
  /** Rate limits per minute (SPEC 11); 0 = unlimited. */
  tokenRequestsPerMinute: number;
  userRequestsPerMinute: number;
  tokenTokensPerMinute: number;
  userConcurrencyLimit: number;
  tokenConcurrencyLimit: number;
}

export class RelayPricing {
  private revision = -1;
  private snapshot!: { options: RelayOptions; view: domain.PricingView };

  constructor(private readonly store: OptionsStore) {}

  private current() {
    if (this.revision !== this.store.revision) {
      const view = domain.pricingView(this.store.raw());
      this.snapshot = { options: view.options, view };
      this.revision = this.store.revision;
    }
    return this.snapshot;
  }

  get options(): RelayOptions {
    return this.current().options;
  }

  /** Ratios for a model in a group; null when the model is unknown and the operator refuses unknown models. */
  ratios(model: string, group: string): Ratios | null {
    return this.current().view.ratios(model, group);
  }

  /** Reservation: (PreConsumedQuota + prompt + max_tokens) × model ratio × group ratio. */
  reserve(promptTokens: number, maxTokens: number | null, r: Ratios): number {
    return this.current().view.reserve(promptTokens, maxTokens, r);
  }

  /**
   * Settlement: ceil((prompt + completion × completion ratio) × model ratio × group ratio), ≥ 1
   * when the ratio is non-zero; prompt tokens read from or written to a prompt cache (`cache`,
   * subsets of `promptTokens`) count at the domain's cache ratios (0.1× and 1.25×).
   */
  settle(promptTokens: number, completionTokens: number, r: Ratios, cache?: { read: number; write: number }): number {
    return this.current().view.settle(promptTokens, completionTokens, r, cache);
  }

  /** Per-request price of an image generation (One API's size/quality multipliers × n). */
  image(model: string, size: string | undefined, quality: string | undefined, n: number, r: Ratios): number {
    return this.current().view.image(model, size, quality, n, r);
  }

  /** Tokens of a text (o200k for gpt-4o/o-series, cl100k otherwise; bounded work). */
  textTokens(text: string, model: string): number {
    return this.current().view.textTokens(text, model);
  }

  /** Prompt tokens of chat messages, One API's per-message overheads and image rules included. */
  messagesTokens(messages: unknown[], model: string): number {
    return this.current().view.messagesTokens(messages, model);
  }

  /** Tokens of an embeddings/moderations/completions input (string, strings, token ids). */
  inputTokens(input: unknown, model: string): number {
    return this.current().view.inputTokens(input, model);
  }

  /** Text-to-speech: per input character. */
  speech(text: string, r: Ratios): number {
    return this.current().view.speech(text, r);
  }

  /** Reservation for a transcription/translation (its length is unknown until the reply). */
  audioReserve(r: Ratios): number {
    return this.current().view.audioReserve(r);
  }

  /** Price of a transcription/translation from the tokens of the returned text. */
  transcription(textTokens: number, r: Ratios): number {
    return this.current().view.transcription(textTokens, r);
  }
}

