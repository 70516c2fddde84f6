import { randomBytes } from 'node:crypto';
import { sleep, type UpstreamContext } from './fake-server';
import { knobsFromModel, openAIError, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

type Json = Record<string, unknown>;

/**
 * The Responses API as a fake OpenAI (or Azure v1) serves it, written from OpenAI's API reference
 * (https://platform.openai.com/docs/api-reference/responses): `POST /responses` (JSON, or typed
 * SSE events with sequence numbers), `GET /responses/{id}`, `DELETE /responses/{id}`,
 * `POST /responses/{id}/cancel` and `GET /responses/{id}/input_items`. Stored responses live in
 * the fake (`previous_response_id` continues them; another fake does not know them: 404).
 *
 * What it answers: function tools present and the last input item not a function_call_output →
 * one `get_weather`-style call of the first function tool; `text.format` json_schema → a JSON
 * object following the schema's properties; otherwise the usual `tok0 tok1 …` text. Requests are
 * validated as the real API does: unknown top-level parameters, malformed input items, a
 * function_call_output without its call, an unknown previous response → 400/404. A model name
 * with `-failed` streams `response.failed` (an error naming a host and a key) instead of output.
 */
export interface ResponsesStore {
  responses: Map<string, { response: Json; items: Json[] }>;
}

export function newResponsesStore(): ResponsesStore {
  return { responses: new Map() };
}

/** The request body fields of POST /v1/responses (OpenAI answers 400 unknown_parameter for anything else). */
const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'stream_options',
  'store',
  'background',
  'max_output_tokens',
  'max_tool_calls',
  'temperature',
  'top_p',
  'top_logprobs',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'previous_response_id',
  'conversation',
  'text',
  'reasoning',
  'metadata',
  'include',
  'truncation',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'prompt',
]);

const CONTENT_TYPES: Record<string, string> = { input_text: 'text', output_text: 'text', refusal: 'refusal', input_image: '', input_file: '', input_audio: 'input_audio' };

function invalid(param: string, message: string, code: string | null = null): { status: number; body: unknown } {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the real API refuses about the request, or undefined. */
function validate(body: Json, store: ResponsesStore): { status: number; body: unknown } | undefined {
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) return invalid(key, `Unknown parameter: '${key}'.`, 'unknown_parameter');
  if (typeof body.model !== 'string' || body.model === '') return invalid('model', "Missing required parameter: 'model'.", 'missing_required_parameter');
  const prev = body.previous_response_id;
  if (prev !== undefined && prev !== null) {
    if (typeof prev !== 'string' || !store.responses.has(prev)) {
      return { status: 404, body: { error: { message: `Previous response with id '${String(prev)}' not found.`, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' } } };
    }
  }
  const input = body.input;
  if (input === undefined || input === null) return prev ? undefined : invalid('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
  if (typeof input === 'string') return undefined;
  if (!Array.isArray(input)) return invalid('input', "Invalid type for 'input': expected one of a string or an array of input items.", 'invalid_type');
  const calls = new Set<string>();
  if (typeof prev === 'string') for (const item of store.responses.get(prev)?.items ?? []) if (item.type === 'function_call') calls.add(String(item.call_id));
  for (const [i, item] of (input as unknown[]).entries()) {
    const at = `input[${i}]`;
    if (!isObject(item)) return invalid(at, `Invalid type for '${at}': expected an object.`, 'invalid_type');
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(String(item.role))) return invalid(`${at}.role`, `Invalid value: '${String(item.role)}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.`, 'invalid_value');
      if (typeof item.content === 'string') continue;
      if (!Array.isArray(item.content)) return invalid(`${at}.content`, `Invalid type for '${at}.content': expected one of a string or an array of content parts.`, 'invalid_type');
      for (const [j, part] of (item.content as unknown[]).entries()) {
        const p = `${at}.content[${j}]`;
        if (!isObject(part) || typeof part.type !== 'string' || !(part.type in CONTENT_TYPES)) return invalid(`${p}.type`, `Invalid value: '${isObject(part) ? String(part.type) : ''}'. Supported values are: 'input_text', 'input_image', 'output_text', 'refusal', 'input_file', and 'input_audio'.`, 'invalid_value');
        const field = CONTENT_TYPES[part.type];
        if (field && typeof part[field] !== 'string') return invalid(`${p}.${field}`, `Missing required parameter: '${p}.${field}'.`, 'missing_required_parameter');
        if (part.type === 'input_image' && typeof part.image_url !== 'string' && typeof part.file_id !== 'string') return invalid(p, `Missing required parameter: '${p}.image_url'.`, 'missing_required_parameter');
        if (item.role === 'assistant' && part.type.startsWith('input_')) return invalid(`${p}.type`, `Invalid value: '${part.type}'. Supported values are: 'output_text' and 'refusal'.`, 'invalid_value');
      }
    } else if (type === 'function_call') {
      for (const f of ['call_id', 'name', 'arguments']) if (typeof item[f] !== 'string') return invalid(`${at}.${f}`, `Missing required parameter: '${at}.${f}'.`, 'missing_required_parameter');
      calls.add(String(item.call_id));
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string') return invalid(`${at}.call_id`, `Missing required parameter: '${at}.call_id'.`, 'missing_required_parameter');
      if (typeof item.output !== 'string' && !Array.isArray(item.output)) return invalid(`${at}.output`, `Missing required parameter: '${at}.output'.`, 'missing_required_parameter');
      if (!calls.has(item.call_id)) return invalid('input', `No tool call found for function call output with call_id ${item.call_id}.`);
    } else if (type === 'reasoning') {
      if (!Array.isArray(item.summary)) return invalid(`${at}.summary`, `Missing required parameter: '${at}.summary'.`, 'missing_required_parameter');
    } else if (type !== 'item_reference') {
      return invalid(`${at}.type`, `Invalid value: '${String(type)}'.`, 'invalid_value');
    }
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return invalid('tools', "Invalid type for 'tools': expected an array.", 'invalid_type');
  for (const [i, t] of ((body.tools as unknown[] | undefined) ?? []).entries()) {
    if (!isObject(t) || typeof t.type !== 'string') return invalid(`tools[${i}].type`, `Missing required parameter: 'tools[${i}].type'.`, 'missing_required_parameter');
    if (t.type === 'function' && typeof t.name !== 'string') return invalid(`tools[${i}].name`, `Missing required parameter: 'tools[${i}].name'.`, 'missing_required_parameter');
  }
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : undefined;
  if (format?.type === 'json_schema' && (typeof format.name !== 'string' || !isObject(format.schema))) return invalid('text.format', "Missing required parameter: 'text.format.name' or 'text.format.schema'.", 'missing_required_parameter');
  return undefined;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** A value following a JSON schema's `properties` (strings 'tok', numbers 1, booleans true). */
function sample(schema: unknown): unknown {
  if (!isObject(schema)) return 'tok';
  switch (schema.type) {
    case 'object': {
      const props = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sample(v)]));
    }
    case 'array':
      return [sample(schema.items)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return Array.isArray(schema.enum) ? schema.enum[0] : 'tok';
  }
}

interface Plan {
  /** Text pieces of the message, or null when the reply is a function call. */
  pieces: string[] | null;
  call?: { name: string; args: string[] };
}

function plan(body: Json, k: FakeKnobs): Plan {
  const input = Array.isArray(body.input) ? (body.input as Json[]) : [];
  const last = input[input.length - 1];
  const fn = ((body.tools as Json[] | undefined) ?? []).find((t) => t.type === 'function');
  if (fn && body.tool_choice !== 'none' && last?.type !== 'function_call_output') return { pieces: null, call: { name: String(fn.name), args: ['{"city":', '"Paris"', '}'] } };
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : undefined;
  if (format?.type === 'json_schema') return { pieces: [JSON.stringify(sample(format.schema))] };
  if (format?.type === 'json_object') return { pieces: ['{"ok":true}'] };
  const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
  if (last?.type === 'function_call_output') pieces.unshift(`result: ${typeof last.output === 'string' ? last.output : 'parts'} `);
  return { pieces };
}

function usageOf(k: FakeKnobs, output: number): Json {
  const cached = k.cachedTokens ?? 0;
  return {
    input_tokens: k.promptTokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: k.completionTokens ?? output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: k.promptTokens + (k.completionTokens ?? output),
  };
}

function responseObject(body: Json, rid: string, status: string, output: Json[], usage: Json | null): Json {
  return {
    id: rid,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    background: body.background === true,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: body.temperature ?? 1,
    text: isObject(body.text) ? body.text : { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: body.metadata ?? {},
  };
}

function inputItems(body: Json): Json[] {
  if (typeof body.input === 'string') return [{ id: id('msg'), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: body.input }] }];
  return ((body.input as Json[] | undefined) ?? []).map((item) => ({ id: id(item.type === 'function_call_output' ? 'fco' : 'msg'), ...item }));
}

/**
 * Answers the Responses routes (`task` is the path after the version prefix: `responses`,
 * `responses/{id}`, ...). Returns false for other paths.
 */
export async function respondResponses(ctx: UpstreamContext, task: string, knobs: FakeKnobs, store: ResponsesStore, takeForcedStatus: (k: FakeKnobs) => boolean): Promise<boolean> {
  const { req, res, record, json } = ctx;
  const m = /^responses(?:\/([^/]+)(?:\/(cancel|input_items))?)?$/.exec(task);
  if (!m) return false;
  const [, pathId, sub] = m;
  const notFound = () => json(404, { error: { message: `Response with id '${pathId}' not found.`, type: 'invalid_request_error', param: null, code: null } });
  if (pathId !== undefined) {
    const stored = store.responses.get(pathId);
    if (req.method === 'GET' && sub === undefined) return (stored ? json(200, stored.response) : notFound(), true);
    if (req.method === 'DELETE' && sub === undefined) {
      if (!stored) return (notFound(), true);
      store.responses.delete(pathId);
      return (json(200, { id: pathId, object: 'response', deleted: true }), true);
    }
    if (req.method === 'POST' && sub === 'cancel') {
      if (!stored) return (notFound(), true);
      return (json(400, { error: { message: 'Only responses created with background=true can be cancelled.', type: 'invalid_request_error', param: null, code: null } }), true);
    }
    if (req.method === 'GET' && sub === 'input_items') {
      if (!stored) return (notFound(), true);
      const clean = stored.items.filter((i) => i.__output !== true);
      return (json(200, { object: 'list', data: clean, first_id: clean[0]?.id ?? null, last_id: clean[clean.length - 1]?.id ?? null, has_more: false }), true);
    }
    json(404, openAIError(404, `fake upstream: no route for ${req.method} ${record.path}`));
    return true;
  }
  if (req.method !== 'POST') return false;

  const body = (isObject(record.body) ? record.body : {}) as Json;
  const model = typeof body.model === 'string' ? body.model : 'fake-model';
  const k: FakeKnobs = { ...knobs, ...knobsFromModel(model) };
  await sleep(k.latencyMs, res);
  if (res.destroyed) return true;
  if (k.status !== undefined && takeForcedStatus(k)) {
    json(k.status, openAIError(k.status, k.errorMessage), k.retryAfter !== undefined ? { 'Retry-After': String(k.retryAfter) } : {});
    return true;
  }
  const bad = validate(body, store);
  if (bad) return (json(bad.status, bad.body), true);

  const rid = id('resp');
  const p = plan(body, k);
  const msgId = id('msg');
  const fcId = id('fc');
  const callId = id('call');
  const text = p.pieces?.join('') ?? '';
  const outputCount = p.pieces ? p.pieces.length : 7;
  const usage = usageOf(k, outputCount);
  const message = (status: string, t: string) => ({ id: msgId, type: 'message', status, role: 'assistant', content: status === 'in_progress' ? [] : [{ type: 'output_text', text: t, annotations: [], logprobs: [] }] });
  const call = (status: string, args: string) => ({ id: fcId, type: 'function_call', status, arguments: args, call_id: callId, name: p.call?.name ?? '' });
  const finalOutput = p.pieces ? [message('completed', text)] : [call('completed', p.call?.args.join('') ?? '')];
  const final = responseObject(body, rid, 'completed', finalOutput, usage);
  const remember = () => {
    if (body.store === false) return;
    const prev = typeof body.previous_response_id === 'string' ? (store.responses.get(body.previous_response_id)?.items ?? []) : [];
    store.responses.set(rid, { response: final, items: [...prev, ...inputItems(body), ...finalOutput.map((o) => ({ ...o, __output: true }))] });
  };

  if (body.stream !== true) {
    remember();
    json(200, final);
    return true;
  }
  let seq = 0;
  const ev = (type: string, data: Json, content = false) => ({ text: `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`, content });
  const events = [ev('response.created', { response: responseObject(body, rid, 'in_progress', [], null) }), ev('response.in_progress', { response: responseObject(body, rid, 'in_progress', [], null) })];
  if (p.pieces) {
    events.push(ev('response.output_item.added', { output_index: 0, item: message('in_progress', '') }));
    events.push(ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
    for (const piece of p.pieces) events.push(ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: piece, logprobs: [] }, true));
    events.push(ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] }));
    events.push(ev('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [], logprobs: [] } }));
    events.push(ev('response.output_item.done', { output_index: 0, item: message('completed', text) }));
  } else {
    const args = p.call?.args ?? [];
    events.push(ev('response.output_item.added', { output_index: 0, item: call('in_progress', '') }));
    for (const a of args) events.push(ev('response.function_call_arguments.delta', { item_id: fcId, output_index: 0, delta: a }, true));
    events.push(ev('response.function_call_arguments.done', { item_id: fcId, output_index: 0, name: p.call?.name, arguments: args.join('') }));
    events.push(ev('response.output_item.done', { output_index: 0, item: call('completed', args.join('')) }));
  }
  if (/(?:^|-)failed(?:-|$)/.test(model)) {
    // A response the model could not finish: `response.failed` with an error (naming an internal host and key, as upstream text may).
    const error = { code: 'server_error', message: 'The model failed at https://internal.fake.example/v1 (key sk-fake-upstream-0123456789abcdef)' };
    events.splice(2);
    events.push(ev('response.failed', { response: { ...responseObject(body, rid, 'failed', [], usageOf(k, 0)), error } }));
  } else events.push(ev('response.completed', { response: final }));
  remember();
  await writeSseEvents(res, k, events);
  return true;
}
