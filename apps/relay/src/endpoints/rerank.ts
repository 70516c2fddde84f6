import { z } from 'zod';
import { rerankDocumentText } from '@oneapi/providers';
import type { RelayPricing } from '../billing/pricing';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { decodeJsonBody } from './json-body';
import { check } from './request-checks';
import type { ParsedRequest } from './request-body';
import type { Bill, Endpoint, Priced, Produced } from './endpoint';

/**
 * Quota of one search unit, in tokens: Cohere bills rerank per search unit (one query over up to
 * 100 documents), priced like 1,000 tokens of the model's ratio. At ratio 1 (0.002 USD per 1K
 * tokens) a search unit costs 0.002 USD, Cohere's list price of rerank-v3.5 (2 USD per 1K searches).
 */
export const SEARCH_UNIT_TOKENS = 1000;

/** Documents one search unit covers (Cohere's definition), for the reservation. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;

/** More documents than any provider accepts in one call (Cohere and Jina stop at 1,000-2,048). */
const MAX_DOCUMENTS = 10_000;

const nonEmptyString = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
const positiveInt = z.int({ error: 'a positive integer' }).min(1, { error: 'a positive integer' });

/** Jina's and Cohere's rerank body: documents as strings or `{text}` objects. Other fields pass through. */
const rerankBody = z.looseObject({
  model: nonEmptyString,
  query: nonEmptyString,
  documents: z
    .array(z.union([z.string({ error: 'a string' }), z.looseObject({ text: z.string({ error: 'a string' }) }, { error: 'a string or an object with text' })], { error: 'a string or an object with text' }), {
      error: `an array of documents (strings or {text} objects)`,
    })
    .min(1, { error: 'a non-empty array of documents' })
    .max(MAX_DOCUMENTS, { error: `at most ${MAX_DOCUMENTS} documents` }),
  top_n: positiveInt.nullish(),
  return_documents: z.boolean({ error: 'a boolean' }).nullish(),
});

function parse(body: Buffer | undefined, contentType: string): ParsedRequest {
  const { text, json } = decodeJsonBody(body, contentType);
  if (json.model === undefined || json.model === null || json.model === '') {
    throw new RelayException(RelayErrorCode.InvalidRequest, 'you must provide a model parameter', 'model');
  }
  check(rerankBody, json);
  return { mode: 'rerank', json, text, model: json.model as string, stream: false, maxTokens: null, includeUsage: false, multipart: false };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The reply as the client received it (converted replies are already parsed). */
function replyJson(produced: Produced): Record<string, unknown> {
  let json = produced.json;
  if (json === undefined && produced.body) {
    try {
      json = JSON.parse(produced.body.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
}

/**
 * What the provider billed, in the order providers report it: tokens (Jina's `usage`, SiliconFlow's
 * and Xinference's `meta.tokens`/`meta.billed_units.input_tokens`) before Cohere's search units.
 */
export function rerankUsage(reply: Record<string, unknown>): { prompt: number; completion: number } | { searchUnits: number } | null {
  const usage = reply.usage as Record<string, unknown> | undefined;
  if (usage && typeof usage === 'object') {
    const tokens = num(usage.prompt_tokens) ?? num(usage.total_tokens) ?? num(usage.input_tokens);
    if (tokens !== undefined) return { prompt: tokens, completion: 0 };
  }
  const meta = reply.meta as { tokens?: Record<string, unknown>; billed_units?: Record<string, unknown> } | undefined;
  if (meta && typeof meta === 'object') {
    for (const block of [meta.tokens, meta.billed_units]) {
      const input = num(block?.input_tokens);
      if (input !== undefined && input > 0) return { prompt: input, completion: num(block?.output_tokens) ?? 0 };
    }
    const units = num(meta.billed_units?.search_units);
    if (units !== undefined && units > 0) return { searchUnits: units };
  }
  return null;
}

/**
 * POST /v1/rerank in Jina's and Cohere's shape (`model`, `query`, `documents`, `top_n`,
 * `return_documents`) → `{results: [{index, relevance_score, document?}], usage | meta}`.
 * Priced per token like embeddings (the model ratio) where the provider reports tokens, per
 * search unit (SEARCH_UNIT_TOKENS tokens each) where it reports search units (Cohere), else on
 * the tokens of the query and documents counted here.
 */
export const rerank: Endpoint = {
  mode: 'rerank',
  path: '/v1/rerank',
  parse,
  reply: () => 'json',
  promptTokens: (p, pricing) => {
    const docs = p.json.documents as unknown[];
    let text = p.json.query as string;
    for (const d of docs) text += `\n${rerankDocumentText(d)}`;
    return pricing.textTokens(text, p.model);
  },
  // Enough for either unit: the counted tokens, or the search units the documents make.
  reserve: (p, promptTokens, ratios, pricing) => {
    const units = Math.ceil((p.json.documents as unknown[]).length / DOCUMENTS_PER_SEARCH_UNIT);
    return pricing.reserve(Math.max(promptTokens, units * SEARCH_UNIT_TOKENS), null, ratios);
  },
  bill: (produced: Produced, _p: ParsedRequest, priced: Priced, pricing: RelayPricing): Bill => {
    const billed = rerankUsage(replyJson(produced));
    if (billed && 'searchUnits' in billed) {
      return { prompt: priced.promptTokens, completion: 0, quota: pricing.settle(billed.searchUnits * SEARCH_UNIT_TOKENS, 0, priced.ratios) };
    }
    const prompt = billed?.prompt ?? priced.promptTokens;
    const completion = billed?.completion ?? 0;
    return { prompt, completion, quota: pricing.settle(prompt, completion, priced.ratios) };
  },
};
