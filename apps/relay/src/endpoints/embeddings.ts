import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/** POST /v1/embeddings (and /v1/engines/:model/embeddings): priced on the input tokens only. */
export const embeddings: Endpoint = {
  mode: 'embeddings',
  path: '/v1/embeddings',
  parse: (body, contentType, pathModel) => parseRequest('embeddings', body, contentType, pathModel),
  reply: () => 'json',
  promptTokens: (p, pricing) => pricing.inputTokens(p.json.input, p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => billTokens(produced, p, priced, pricing, false),
};
