import type { Usage } from '../adapter.types';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The usage block of an OpenAI-shaped response or stream chunk, or undefined when absent or
 * empty. Some upstreams report only total_tokens (One API's openai adaptor DoResponse):
 * completion_tokens is then left as total − prompt for the caller to fix up with its own count.
 * The prompt cache's share (chat's `prompt_tokens_details.cached_tokens`) is `cache_read_tokens`.
 */
export function readUsage(body: unknown): Usage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const u = (body as { usage?: unknown }).usage;
  if (typeof u !== 'object' || u === null) return undefined;
  const r = u as Record<string, unknown>;
  const prompt = num(r.prompt_tokens) ?? num(r.input_tokens) ?? 0;
  const completion = num(r.completion_tokens) ?? num(r.output_tokens);
  const total = num(r.total_tokens) ?? prompt + (completion ?? 0);
  if (total === 0 && prompt === 0 && !completion) return undefined;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion ?? Math.max(0, total - prompt), total_tokens: total };
  const details = r.prompt_tokens_details;
  const cached = typeof details === 'object' && details !== null ? (num((details as Record<string, unknown>).cached_tokens) ?? 0) : 0;
  if (cached > 0) usage.cache_read_tokens = Math.min(cached, prompt);
  return usage;
}

/**
 * Usage carried by one SSE `data:` payload of an OpenAI stream (the `choices: []` usage chunk,
 * or providers that attach usage to the last content chunk); undefined for `[DONE]` and chunks
 * without usage. Cheap for the common case: no JSON parse unless the text mentions "usage".
 */
export function usageFromStreamData(data: string): Usage | undefined {
  if (!data.includes('"usage"')) return undefined;
  try {
    return readUsage(JSON.parse(data));
  } catch {
    return undefined;
  }
}

/**
 * The usage of an OpenAI Responses object (a reply, or the `response` of a `response.completed`
 * / `response.incomplete` / `response.failed` event): input and output tokens, with the prompt
 * cache's share (`input_tokens_details.cached_tokens`) as `cache_read_tokens`.
 */
export function readResponsesUsage(response: unknown): Usage | undefined {
  const usage = readUsage(response);
  if (!usage) return undefined;
  const details = ((response as { usage: { input_tokens_details?: unknown } }).usage.input_tokens_details ?? {}) as Record<string, unknown>;
  const cached = num(details.cached_tokens) ?? 0;
  if (cached > 0) usage.cache_read_tokens = Math.min(cached, usage.prompt_tokens);
  return usage;
}
