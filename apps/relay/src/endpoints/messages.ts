import type { RelayPricing } from '../billing/pricing';
import { anthropicMessages } from '../protocols/anthropic/messages-protocol';
import { chatMessagesOf } from '../protocols/anthropic/messages-chat';
import type { Endpoint } from './endpoint';
import { parseMessagesRequest } from './messages-checks';
import type { ParsedRequest } from './request-body';
import { billTokens } from './token-billing';

/**
 * Prompt tokens of a Messages request counted here: its system, messages and tools as the chat
 * messages they bridge to (One API's per-message and image rules); documents count as nothing
 * until the upstream reports them.
 */
export function messagesPromptTokens(p: ParsedRequest, pricing: RelayPricing): number {
  const tools = Array.isArray(p.json.tools) && p.json.tools.length ? pricing.textTokens(JSON.stringify(p.json.tools), p.model) : 0;
  return pricing.messagesTokens(chatMessagesOf(p.json, null), p.model) + tools;
}

/**
 * POST /v1/messages (Anthropic's Messages API): native on Anthropic channels, through the chat
 * bridge elsewhere. Billed from the upstream's usage, prompt-cache reads and writes at their
 * ratios; a stream that broke off before its final usage also counts the output it delivered.
 */
export const messages: Endpoint = {
  mode: 'messages',
  path: '/v1/messages',
  protocol: anthropicMessages,
  parse: (body, contentType) => parseMessagesRequest('messages', body, contentType),
  reply: (p) => (p.stream ? 'sse' : 'json'),
  promptTokens: messagesPromptTokens,
  reserve: (p, promptTokens, ratios, pricing) => pricing.reserve(promptTokens, p.maxTokens, ratios),
  bill: (produced, p, priced, pricing) => {
    const usage = produced.usage;
    if (!usage) return billTokens(produced, p, priced, pricing, true);
    const prompt = usage.prompt_tokens || priced.promptTokens;
    const delivered = produced.text ? pricing.textTokens(produced.text, p.model) : 0;
    const completion = Math.max(usage.completion_tokens, delivered);
    const cache = { read: usage.cache_read_tokens ?? 0, write: usage.cache_write_tokens ?? 0 };
    return { prompt, completion, quota: pricing.settle(prompt, completion, priced.ratios, cache) };
  },
};
