/**
 * Cohere's rerank API v2 (https://docs.cohere.com/reference/rerank): `POST /v2/rerank` with
 * `model`, `query`, `documents` (strings only), `top_n` and `max_tokens_per_doc`. Unlike Jina's
 * shape (and Cohere's v1) it has no `return_documents`: the reply carries only indexes and
 * scores, so the documents are restored from the client's request. Billed per search unit
 * (`meta.billed_units.search_units`: one query over up to 100 documents).
 */

/** A rerank document as clients send it: a string or Jina's `{text}` object. */
export type RerankDocument = string | { text?: unknown };

/** The text of a rerank document ('' when it has none). */
export function rerankDocumentText(doc: unknown): string {
  if (typeof doc === 'string') return doc;
  if (typeof doc === 'object' && doc !== null && typeof (doc as { text?: unknown }).text === 'string') return (doc as { text: string }).text;
  return '';
}

/** Jina/Cohere-shaped client body → Cohere v2 body (unknown fields dropped: Cohere v2 refuses them). */
export function toCohereRerankRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: body.model,
    query: body.query,
    documents: Array.isArray(body.documents) ? body.documents.map(rerankDocumentText) : [],
  };
  if (typeof body.top_n === 'number') out.top_n = body.top_n;
  if (typeof body.max_tokens_per_doc === 'number') out.max_tokens_per_doc = body.max_tokens_per_doc;
  return out;
}

interface CohereRerankResult {
  index?: unknown;
  relevance_score?: unknown;
}

/**
 * Cohere v2 reply → the relay's rerank reply: `results` (with `document: {text}` when the client
 * asked for `return_documents`), Cohere's `meta` kept (its billed search units price the call).
 */
export function fromCohereRerankResponse(body: unknown, request: Record<string, unknown> | undefined, model: string): Record<string, unknown> {
  const reply = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; results?: unknown; meta?: unknown };
  const documents = Array.isArray(request?.documents) ? request.documents : [];
  const withDocuments = request?.return_documents === true;
  const results = (Array.isArray(reply.results) ? (reply.results as CohereRerankResult[]) : []).map((r) => {
    const index = typeof r.index === 'number' ? r.index : 0;
    const out: Record<string, unknown> = { index, relevance_score: r.relevance_score };
    if (withDocuments) out.document = { text: rerankDocumentText(documents[index]) };
    return out;
  });
  return { id: reply.id, model, results, meta: reply.meta ?? {} };
}
