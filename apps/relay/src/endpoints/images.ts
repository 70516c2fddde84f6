import { checkImage } from '../billing/domain-bridge';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';

const PARAM_OF: Record<string, string> = { n_not_within_range: 'n', size_not_supported: 'size' };

/** POST /v1/images/generations: a per-image price (One API's size/quality ratios × n), fixed up front. */
export const images: Endpoint = {
  mode: 'images',
  path: '/v1/images/generations',
  parse: (body, contentType) => parseRequest('images', body, contentType),
  reply: () => 'json',
  check: (p) => {
    const bad = checkImage(p.model, p.json);
    if (bad) throw new RelayException(RelayErrorCode.InvalidRequest, bad.message, PARAM_OF[bad.code] ?? 'prompt', bad.code);
  },
  promptTokens: () => 0,
  reserve: (p, _prompt, ratios, pricing) =>
    pricing.image(p.model, p.json.size as string | undefined, p.json.quality as string | undefined, typeof p.json.n === 'number' ? p.json.n : 1, ratios),
  bill: (_produced, _p, priced) => ({ prompt: 0, completion: 0, quota: priced.reserved }),
};
