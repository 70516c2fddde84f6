import type { ConversionContext, ResponseConversion } from '../adapter.types';
import { AdapterNotImplementedError } from '../errors';
import { num } from '../native/openai-chat.types';
import { geminiErrorToOpenAI } from './gemini-chat';
import type { GeminiBatchEmbedRequest, GeminiBatchEmbedResponse } from './gemini.types';

/** OpenAI's `input` as a list of strings (token-array inputs cannot be sent to Gemini and are rejected). */
function inputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  throw new AdapterNotImplementedError('Google Gemini', 'embeddings', 'Gemini embeddings take text input only (a string or an array of strings), not token arrays');
}

/**
 * OpenAI embeddings request → Gemini `batchEmbedContents` (one request per input, each naming
 * `models/{model}`, as One API's ConvertEmbeddingRequest does); `dimensions` → `outputDimensionality`.
 * https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 */
export function toGeminiEmbeddingRequest(body: Record<string, unknown>, ctx: ConversionContext): GeminiBatchEmbedRequest {
  const model = `models/${geminiModelId(typeof body.model === 'string' && body.model !== '' ? body.model : ctx.upstreamModel)}`;
  const dims = num(body.dimensions);
  return {
    requests: inputs(body.input).map((text) => ({ model, content: { parts: [{ text }] }, ...(dims !== undefined ? { outputDimensionality: dims } : {}) })),
  };
}

/**
 * Gemini embeddings → OpenAI's list. Gemini reports no token usage for embeddings, so `usage` is
 * left undefined for the relay to count the input itself; the body says 0 like One API's.
 */
export function fromGeminiEmbeddingResponse(body: unknown, ctx: ConversionContext): ResponseConversion {
  const error = geminiErrorToOpenAI(body);
  const embeddings = (body as GeminiBatchEmbedResponse | null)?.embeddings;
  if (error || !Array.isArray(embeddings)) throw new Error(`Gemini reply is not an embedding list: ${error?.error.message ?? 'unexpected body'}`);
  return {
    body: {
      object: 'list',
      data: embeddings.map((e, index) => ({ object: 'embedding', index, embedding: Array.isArray(e?.values) ? e.values : [] })),
      model: ctx.requestModel,
      usage: { prompt_tokens: 0, total_tokens: 0 },
    },
  };
}

/** A model name without the `models/` prefix some clients copy from Google's docs. */
export function geminiModelId(model: string): string {
  return model.replace(/^models\//, '');
}
