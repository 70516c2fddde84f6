import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

const STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's error body (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes). */
export function geminiError(code: number, message?: string): { error: { code: number; message: string; status: string } } {
  const status = STATUSES[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return { error: { code, message: message ?? `fake Gemini: ${status}`, status } };
}

const CALLS = [
  { name: 'get_weather', args: { city: 'Paris' } },
  { name: 'get_time', args: { tz: 'UTC' } },
];

/** The fields of Gemini's `Schema` (https://ai.google.dev/api/caching#Schema); any other key is "Unknown name". */
const SCHEMA_FIELDS = new Set(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum']);

/** Why Gemini would refuse this schema (unknown keywords such as const/$ref/additionalProperties, a list as type). */
function invalidSchema(schema: unknown, at: string): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return `Invalid value at '${at}': expected a Schema object`;
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at '${at}': Cannot find field.`;
    if (key === 'type' && typeof value !== 'string') return `Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type)`;
    const nested: [unknown, string][] =
      key === 'properties' && typeof value === 'object' && value !== null ? Object.entries(value).map(([k, v]) => [v, `${at}.properties[${k}].value`]) : key === 'items' ? [[value, `${at}.items`]] : key === 'anyOf' && Array.isArray(value) ? value.map((v, i) => [v, `${at}.any_of[${i}]`]) : [];
    for (const [sub, path] of nested) {
      const problem = invalidSchema(sub, path);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** What generateContent would refuse, so conversion mistakes fail loudly in tests. */
function invalidRequest(body: Record<string, unknown>): string | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as { functionDeclarations?: { parameters?: unknown }[] }[]) : [];
  for (const [t, tool] of tools.entries()) {
    for (const [f, fn] of (tool.functionDeclarations ?? []).entries()) {
      const problem = fn.parameters === undefined ? undefined : invalidSchema(fn.parameters, `tools[${t}].function_declarations[${f}].parameters`);
      if (problem) return problem;
    }
  }
  const responseSchema = (body.generationConfig as { responseSchema?: unknown } | undefined)?.responseSchema;
  if (responseSchema !== undefined) {
    const problem = invalidSchema(responseSchema, 'generation_config.response_schema');
    if (problem) return problem;
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const [i, c] of (body.contents as { role?: unknown; parts?: unknown }[]).entries()) {
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') return `Please use a valid role: user, model. (contents[${i}].role)`;
    if (!Array.isArray(c.parts) || c.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const p of c.parts as { functionResponse?: { name?: unknown } }[]) {
      if (p.functionResponse && (typeof p.functionResponse.name !== 'string' || p.functionResponse.name === '')) return `contents[${i}]: functionResponse.name is required`;
    }
  }
  if ('messages' in body || 'model' in body) return 'Invalid JSON payload received. Unknown name "messages" / "model"';
  return undefined;
}

function embedding(i: number, dims: number): number[] {
  return Array.from({ length: dims }, (_, d) => Math.round(Math.cos(i + d + 1) * 1e6) / 1e6);
}

/**
 * A fake Gemini API on 127.0.0.1: `POST /{version}/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` and `:batchEmbedContents`. The key goes in `x-goog-api-key`
 * (or `?key=`): missing → 403 PERMISSION_DENIED, wrong → 400 "API key not valid", as Google
 * answers. Requests Gemini would refuse (system/assistant roles, empty parts, OpenAI fields) get
 * 400 INVALID_ARGUMENT. Knobs as in startFakeOpenAI, also through the model name in the URL
 * (`gemini-tools`, `gemini-status-429`, `gemini-nousage`, `gemini-chunks-3-delay-20`).
 */
export async function startFakeGemini(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, json, req, res } = ctx;
    const m = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(record.path);
    if (req.method !== 'POST' || !m) return json(404, geminiError(404, `fake Gemini: no route for ${req.method} ${record.path}`));
    const headerKey = req.headers['x-goog-api-key'];
    const key = typeof headerKey === 'string' && headerKey !== '' ? headerKey : record.query.key;
    if (!key) return json(403, geminiError(403, 'Method doesn\'t allow unregistered callers. Please use API Key or other form of API consumer identity to call this API.'));
    if (opts.apiKey !== undefined && key !== opts.apiKey) return json(400, geminiError(400, 'API key not valid. Please pass a valid API key.'));
    const model = decodeURIComponent(m[2]);
    const method = m[3];
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return json(k.status, geminiError(k.status, k.errorMessage));
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;

    if (method === 'batchEmbedContents') {
      const requests = Array.isArray(body.requests) ? (body.requests as { model?: unknown; outputDimensionality?: unknown }[]) : [];
      if (requests.length === 0) return json(400, geminiError(400, '* BatchEmbedContentsRequest.requests: requests is not specified'));
      if (requests.some((r) => r.model !== `models/${model}`)) return json(400, geminiError(400, 'requests[].model must match the model in the URL'));
      return json(200, { embeddings: requests.map((r, i) => ({ values: embedding(i, typeof r.outputDimensionality === 'number' ? r.outputDimensionality : 8) })) });
    }

    const invalid = invalidRequest(body);
    if (invalid) return json(400, geminiError(400, invalid));
    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    if (k.longLineBytes && pieces.length > 0) pieces[0] = 'x'.repeat(k.longLineBytes);
    const completion = k.completionTokens ?? (k.toolCalls ? 12 : pieces.length);
    const usageMetadata = { promptTokenCount: k.promptTokens, candidatesTokenCount: completion, totalTokenCount: k.promptTokens + completion };
    const withUsage = (o: Record<string, unknown>) => (k.usage ? { ...o, usageMetadata } : o);
    const candidate = (parts: Record<string, unknown>[], finishReason?: string) => ({ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) });
    const callParts = CALLS.map((c) => ({ functionCall: c }));

    if (method === 'generateContent') {
      const parts = k.toolCalls ? callParts : [{ text: pieces.join('') }];
      return json(200, withUsage({ candidates: [candidate(parts, 'STOP')], modelVersion: model, responseId: 'fake-response' }));
    }
    if (record.query.alt !== 'sse') return json(400, geminiError(400, 'fake Gemini: only alt=sse streams are served'));
    const slices: Record<string, unknown>[][] = k.toolCalls ? [[{ text: 'Let me check.' }], [callParts[0]], [callParts[1]]] : pieces.length ? pieces.map((text) => [{ text }]) : [[{ text: '' }]];
    const events = slices.map((parts, i) => {
      const last = i === slices.length - 1;
      // Intermediate events carry the prompt count only; the last one carries the final usage.
      const payload = last ? withUsage({ candidates: [candidate(parts, 'STOP')], modelVersion: model }) : { candidates: [candidate(parts)], modelVersion: model, ...(k.usage ? { usageMetadata: { promptTokenCount: k.promptTokens, totalTokenCount: k.promptTokens } } : {}) };
      return { text: `data: ${JSON.stringify(payload)}\r\n\r\n`, content: true };
    });
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
