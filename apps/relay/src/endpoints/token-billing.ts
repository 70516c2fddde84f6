import type { RelayPricing } from '../billing/pricing';
import type { ParsedRequest } from './request-body';
import type { Bill, Priced, Produced } from './endpoint';

/** Generated text of OpenAI chat/completion replies or chunks (content, legacy text, tool calls). */
export function generatedText(reply: unknown): string {
  const choices = (reply as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const ch of choices as Array<Record<string, unknown> | null>) {
    if (!ch || typeof ch !== 'object') continue;
    if (typeof ch.text === 'string') text += ch.text;
    const part = (ch.delta ?? ch.message) as Record<string, unknown> | undefined | null;
    if (!part || typeof part !== 'object') continue;
    if (typeof part.content === 'string') text += part.content;
    const calls = part.tool_calls;
    if (Array.isArray(calls)) {
      for (const c of calls as Array<{ function?: { name?: unknown; arguments?: unknown } } | null>) {
        if (typeof c?.function?.name === 'string') text += c.function.name;
        if (typeof c?.function?.arguments === 'string') text += c.function.arguments;
      }
    }
  }
  return text;
}

/**
 * Token-priced endpoints: the upstream's usage when it reported one, else the prompt counted at
 * admission and, for generating endpoints, the delivered text counted locally.
 */
export function billTokens(produced: Produced, p: ParsedRequest, priced: Priced, pricing: RelayPricing, generates: boolean): Bill {
  let prompt = priced.promptTokens;
  let completion = 0;
  const usage = produced.usage;
  if (usage) {
    prompt = usage.prompt_tokens || prompt;
    completion = usage.completion_tokens;
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
      text = generatedText(json);
    }
    completion = pricing.textTokens(text, p.model);
  }
  return { prompt, completion, quota: pricing.settle(prompt, completion, priced.ratios) };
}
