import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/** POST /v1/completions (legacy text completions): prompt counted from `prompt`, streams when asked. */
export const completions: Endpoint = {
  mode: 'completions',
  path: '/v1/completions',
  parse: (body, contentType) => parseRequest('completions', body, contentType),
  reply: (p) => (p.stream ? 'sse' : 'json'),
  promptTokens: (p, pricing) => pricing.inputTokens(p.json.prompt ?? '', p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => billTokens(produced, p, priced, pricing, true),
};
