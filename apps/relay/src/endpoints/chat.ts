import { parseRequest } from './request-body';
import type { Endpoint } from './endpoint';
import { billTokens } from './token-billing';

/** POST /v1/chat/completions: prompt counted from the messages, streams when asked. */
export const chat: Endpoint = {
  mode: 'chat',
  path: '/v1/chat/completions',
  parse: (body, contentType) => parseRequest('chat', body, contentType),
  reply: (p) => (p.stream ? 'sse' : 'json'),
  promptTokens: (p, pricing) => pricing.messagesTokens(p.json.messages as unknown[], p.model),
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => billTokens(produced, p, priced, pricing, true),
};
