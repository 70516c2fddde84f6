import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/** POST /v1/edits (legacy): prompt = instruction + input. */
export const edits: Endpoint = {
  mode: 'edits',
  path: '/v1/edits',
  parse: (body, contentType) => parseRequest('edits', body, contentType),
  reply: () => 'json',
  promptTokens: (p, pricing) => pricing.textTokens(`${String(p.json.instruction ?? '')}${typeof p.json.input === 'string' ? p.json.input : ''}`, p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => billTokens(produced, p, priced, pricing, true),
};
