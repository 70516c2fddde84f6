import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/** POST /v1/moderations: default model text-moderation-latest, priced on the input tokens. */
export const moderations: Endpoint = {
  mode: 'moderations',
  path: '/v1/moderations',
  parse: (body, contentType) => parseRequest('moderations', body, contentType),
  reply: () => 'json',
  promptTokens: (p, pricing) => pricing.inputTokens(p.json.input, p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => billTokens(produced, p, priced, pricing, false),
};
