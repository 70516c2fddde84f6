import type { RelayPricing } from '../billing/pricing';
import { chunkText } from '../stream';
import type { ParsedRequest } from './request-body';
import type { Bill, Priced, Produced } from './endpoint';

/**
 * Token-priced endpoints: the upstream's usage when it reported one, else the prompt counted at
 * admission and, for generating endpoints, the delivered text counted locally. Prompt tokens the
 * upstream read from its prompt cache are billed at the domain's cache-read ratio, whatever the
 * client protocol (the same rule as Messages and Responses).
 */
export function billTokens(produced: Produced, p: ParsedRequest, priced: Priced, pricing: RelayPricing, generates: boolean): Bill {
  let prompt = priced.promptTokens;
  let completion = 0;
  const usage = produced.usage;
  if (usage) {
    prompt = usage.prompt_tokens || prompt;
    completion = usage.completion_tokens;
    // A stream cut short: the provider's running output count may lag the text that reached the client.
    if (generates && produced.pendingText) completion = Math.max(completion, pricing.textTokens(produced.pendingText, p.model));
  } else if (generates) {
    let text = produced.text;
    if (text === undefined) {
      let json = produced.json;
      if (json === undefined && produced.body) {
        try {
          json = JSON.parse(produced.body.toString('utf8'));
        } catch {
          json = undefined;
        }
      }
      text = chunkText(json);
    }
    completion = pricing.textTokens(text, p.model);
  }
  const read = Math.min(usage?.cache_read_tokens ?? 0, prompt);
  const write = Math.min(usage?.cache_write_tokens ?? 0, prompt - read);
  return { prompt, completion, quota: pricing.settle(prompt, completion, priced.ratios, read || write ? { read, write } : undefined) };
}
