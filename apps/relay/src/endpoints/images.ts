import { checkImage } from '../billing/domain-bridge';
import type { RelayPricing } from '../billing/pricing';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { parseRequest, type ParsedRequest } from './request-body';
import type { Bill, Endpoint, Priced, Produced } from './endpoint';

const PARAM_OF: Record<string, string> = { n_not_within_range: 'n', size_not_supported: 'size' };

/** One API's image checks (prompt, size for the model, prompt length, n range) as a 400. */
export function checkImageRequest(p: ParsedRequest): void {
  const bad = checkImage(p.model, p.json);
  if (bad) throw new RelayException(RelayErrorCode.InvalidRequest, bad.message, PARAM_OF[bad.code] ?? 'prompt', bad.code);
}

/** The price of the images asked for: One API's size/quality ratios × n (generations, edits and variations alike). */
export function reserveImages(p: ParsedRequest, ratios: Priced['ratios'], pricing: RelayPricing): number {
  const n = typeof p.json.n === 'number' ? p.json.n : 1;
  return pricing.image(p.model, p.json.size as string | undefined, p.json.quality as string | undefined, n, ratios);
}

/**
 * What images cost once made: gpt-image models report token usage (text and image input, image
 * output) and are priced on it with the model and completion ratios; DALL·E reports none and
 * costs the per-image price fixed up front.
 */
export function billImages(produced: Produced, priced: Priced, pricing: RelayPricing): Bill {
  const usage = produced.usage;
  if (usage && usage.total_tokens > 0) {
    return { prompt: usage.prompt_tokens, completion: usage.completion_tokens, quota: pricing.settle(usage.prompt_tokens, usage.completion_tokens, priced.ratios) };
  }
  return { prompt: 0, completion: 0, quota: priced.reserved };
}

/** POST /v1/images/generations: a per-image price (One API's size/quality ratios × n), or gpt-image's token usage. */
export const images: Endpoint = {
  mode: 'images',
  path: '/v1/images/generations',
  parse: (body, contentType) => parseRequest('images', body, contentType),
  reply: () => 'json',
  check: checkImageRequest,
  promptTokens: () => 0,
  reserve: (p, _prompt, ratios, pricing) => reserveImages(p, ratios, pricing),
  bill: (produced, _p, priced, pricing) => billImages(produced, priced, pricing),
};
