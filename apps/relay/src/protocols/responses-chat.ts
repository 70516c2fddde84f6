/**
 * OpenAI Responses ⇄ Chat Completions, statelessly, for channels that only speak chat
 * (https://platform.openai.com/docs/api-reference/responses). Pure functions: a Responses request
 * becomes a chat request, a chat completion becomes a Response object, and
 * {@link ResponsesStreamWriter} turns chat chunks into the Responses SSE events in the order
 * OpenAI sends them. Anything chat cannot express is a 400 naming it, never a silent drop.
 */
import { randomBytes } from 'node:crypto';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

type Json = Record<string, unknown>;

function bad(message: string, param: string | null = null): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, message, param);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Random id suffix as OpenAI's look (hex). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/** Top-level fields the bridge converts or may ignore without changing the answer. */
const CONVERTED_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'stream_options',
  'max_output_tokens',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'metadata',
  'user',
  'safety_identifier',
  'service_tier',
  // Stateless either way: nothing is stored, and a previous id is refused below.
  'store',
  'previous_response_id',
  // Checked value by value in responsesToChat.
  'include',
  'truncation',
  'top_logprobs',
  'prompt_cache_key',
]);

/**
 * `include` values that ask for nothing the bridged reply could hold: results and images of
 * built-in tools (refused by the bridge, so never called) and of input images (echoed by no
 * bridged reply). `reasoning.encrypted_content` is the opaque reasoning state a stateless client
 * passes back; chat upstreams keep none, so the reasoning items carry their text only (named in
 * the ignored-parameters header). Any other value (logprobs) is a 400.
 */
const NO_OP_INCLUDES = new Set([
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
]);

/**
 * What the bridge accepts and leaves out, for the ignored-parameters header: encrypted reasoning
 * it cannot produce, and `prompt_cache_key` (a cache-routing hint) where the upstream's wire has
 * no such field.
 */
export function responsesIgnored(body: Json, openAIWire: boolean): string[] {
  const out: string[] = [];
  if (Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content')) out.push('include[reasoning.encrypted_content]');
  if (!openAIWire && typeof body.prompt_cache_key === 'string') out.push('prompt_cache_key');
  return out;
}

/** Fields of the Responses API that need server state or tools the chat bridge does not have. */
const STATEFUL_FIELDS: Record<string, string> = {
  background: 'background responses need a stored response',
  conversation: 'conversations are stored server-side',
  prompt: 'prompt templates are stored server-side',
};

/** Input content part → chat content part. */
function chatPart(part: Json, where: string): Json {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: str(part.text) ?? '' };
    case 'refusal':
      return { type: 'text', text: str(part.refusal) ?? '' };
    case 'input_image': {
      const url = str(part.image_url);
      if (!url) bad(`${where}: input_image by file_id needs the Files API, which this channel type does not have; send image_url (a URL or a data URL)`, where);
      const detail = str(part.detail);
      return { type: 'image_url', image_url: detail ? { url, detail } : { url } };
    }
    case 'input_file': {
      const data = str(part.file_data);
      if (!data) bad(`${where}: input_file by file_id or file_url is not supported on this channel type; send file_data`, where);
      return { type: 'file', file: { filename: str(part.filename) ?? 'file', file_data: data } };
    }
    default:
      return bad(`${where}: content type ${JSON.stringify(part.type)} is not supported on this channel type`, where);
  }
}

function messageContent(content: unknown, where: string): string | Json[] {
  if (typeof content === 'string') return content;
  const parts = (content as Json[]).map((p, i) => chatPart(p, `${where}.content[${i}]`));
  return parts;
}

/** Assistant turns carry text only in chat: output_text/refusal parts joined. */
function assistantText(content: string | Json[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? String(p.text) : '')).join('');
}

function reasoningText(item: Json): string {
  const summary = Array.isArray(item.summary) ? (item.summary as Json[]) : [];
  const content = Array.isArray(item.content) ? (item.content as Json[]) : [];
  return [...summary, ...content].map((p) => str(p.text) ?? '').join('');
}

/** The chat messages of a Responses `instructions` + `input`. */
export function chatMessages(body: Json): Json[] {
  const messages: Json[] = [];
  const instructions = str(body.instructions);
  if (instructions) messages.push({ role: 'system', content: instructions });
  const input = body.input;
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  if (!Array.isArray(input)) return messages;
  // Reasoning of an earlier turn, carried to the assistant message that follows it.
  let reasoning = '';
  const lastAssistant = (): Json | undefined => {
    const last = messages[messages.length - 1];
    return last?.role === 'assistant' ? last : undefined;
  };
  (input as Json[]).forEach((item, i) => {
    const where = `input[${i}]`;
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        const role = item.role === 'developer' ? 'system' : String(item.role);
        const content = messageContent(item.content, where);
        if (role === 'assistant') {
          const m: Json = { role, content: assistantText(content) };
          if (reasoning) m.reasoning_content = reasoning;
          reasoning = '';
          messages.push(m);
        } else if (role === 'system' && typeof content !== 'string') {
          messages.push({ role, content: content.map((p) => (p.type === 'text' ? String(p.text) : '')).join('') });
        } else {
          messages.push({ role, content });
        }
        return;
      }
      case 'function_call': {
        const call = { id: str(item.call_id), type: 'function', function: { name: str(item.name), arguments: str(item.arguments) ?? '' } };
        const prev = lastAssistant();
        // Parallel calls of one turn (and a turn's text before them) are one assistant message in chat.
        if (prev && !reasoning) {
          prev.tool_calls = [...((prev.tool_calls as Json[] | undefined) ?? []), call];
          if (prev.content === '') prev.content = null;
        } else {
          const m: Json = { role: 'assistant', content: null, tool_calls: [call] };
          if (reasoning) m.reasoning_content = reasoning;
          reasoning = '';
          messages.push(m);
        }
        return;
      }
      case 'function_call_output': {
        const output = item.output;
        // A chat tool message carries text only: an image or file result cannot go along.
        if (Array.isArray(output)) {
          const other = (output as Json[]).findIndex((p) => p.type !== 'input_text' && p.type !== 'output_text');
          if (other !== -1) bad(`${where}.output[${other}]: a ${String((output as Json[])[other].type)} function output is not supported on this channel type (text only)`, `${where}.output[${other}]`);
        }
        const content = typeof output === 'string' ? output : (output as Json[]).map((p) => str(p.text) ?? '').join('');
        messages.push({ role: 'tool', tool_call_id: str(item.call_id), content });
        return;
      }
      case 'reasoning':
        reasoning += reasoningText(item);
        return;
      case 'item_reference':
        return bad(`${where}: item_reference points at stored items; this channel type keeps no state, so send the items themselves`, where);
      default:
        return bad(`${where}: input item type ${JSON.stringify(type)} is not supported on this channel type (only messages, function calls, their outputs and reasoning are)`, where);
    }
  });
  return messages;
}

function chatTools(tools: Json[]): Json[] {
  return tools.map((t, i) => {
    if (t.type !== 'function') {
      bad(`tools[${i}]: the built-in tool ${JSON.stringify(t.type)} runs on OpenAI's servers and is not available on this channel type; only function tools are`, `tools[${i}].type`);
    }
    if (typeof t.name !== 'string' || t.name === '') bad(`tools[${i}].name must be a non-empty string`, `tools[${i}].name`);
    const fn: Json = { name: t.name };
    if (t.description !== undefined && t.description !== null) fn.description = t.description;
    if (t.parameters !== undefined && t.parameters !== null) fn.parameters = t.parameters;
    if (typeof t.strict === 'boolean') fn.strict = t.strict;
    return { type: 'function', function: fn };
  });
}

function chatToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string') {
    if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
    return bad(`tool_choice ${JSON.stringify(choice)} is not supported on this channel type`, 'tool_choice');
  }
  if (isObject(choice) && choice.type === 'function' && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  return bad(`tool_choice of type ${JSON.stringify(isObject(choice) ? choice.type : choice)} is not supported on this channel type (only auto, none, required or a function)`, 'tool_choice');
}

function responseFormat(format: Json): Json | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      if (typeof format.name !== 'string') bad('text.format.name must be a string', 'text.format.name');
      const schema: Json = { name: format.name, schema: format.schema };
      if (format.description !== undefined) schema.description = format.description;
      if (typeof format.strict === 'boolean') schema.strict = format.strict;
      return { type: 'json_schema', json_schema: schema };
    }
    default:
      return bad(`text.format of type ${JSON.stringify(format.type)} is not supported on this channel type`, 'text.format.type');
  }
}

/**
 * A Responses request (already checked by responses-checks) as a chat completions request for a
 * channel of type `channelType` (named in the 400s). Streams ask for usage so billing is exact.
 */
export function responsesToChat(body: Json, upstreamModel: string, channelType: string, openAIWire = true): Json {
  if (typeof body.previous_response_id === 'string' && body.previous_response_id !== '') {
    bad(`previous_response_id needs a stored response, and channel type ${channelType} keeps no state: send the whole conversation in input instead`, 'previous_response_id');
  }
  for (const key of Object.keys(body)) {
    if (body[key] === undefined || body[key] === null) continue;
    if (key in STATEFUL_FIELDS && body[key] !== false) bad(`${key} is not supported on channel type ${channelType}: ${STATEFUL_FIELDS[key]}`, key);
    if (!CONVERTED_FIELDS.has(key) && !(key in STATEFUL_FIELDS)) bad(`Unrecognized request argument supplied: ${key}`, key);
  }
  // Log probabilities have no place in the converted reply: refused rather than silently absent.
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) bad(`top_logprobs is not supported on channel type ${channelType}`, 'top_logprobs');
  if (Array.isArray(body.include)) {
    for (const value of body.include) if (!NO_OP_INCLUDES.has(value as string)) bad(`include ${JSON.stringify(value)} is not supported on channel type ${channelType}`, 'include');
  }
  // Chat completions never drop input to fit the context ("disabled", their behaviour: an overflow is the upstream's 400).
  if (body.truncation !== undefined && body.truncation !== null && body.truncation !== 'disabled') {
    bad(`truncation ${JSON.stringify(body.truncation)} is not supported on channel type ${channelType}: chat completions cannot drop input items to fit the context window; send "disabled"`, 'truncation');
  }
  const chat: Json = { model: upstreamModel, messages: chatMessages(body) };
  if ((chat.messages as Json[]).length === 0) bad('input must not be empty', 'input');
  if (Array.isArray(body.tools) && body.tools.length > 0) chat.tools = chatTools(body.tools as Json[]);
  if (body.tool_choice !== undefined && body.tool_choice !== null) chat.tool_choice = chatToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === 'boolean' && chat.tools) chat.parallel_tool_calls = body.parallel_tool_calls;
  const text = isObject(body.text) ? body.text : undefined;
  if (text && isObject(text.format)) {
    // Adapters of other wire formats carry response_format their way or refuse it (never drop it).
    const rf = responseFormat(text.format);
    if (rf) chat.response_format = rf;
  }
  if (text && typeof text.verbosity === 'string') {
    // Only OpenAI-wire chat knows verbosity; no other conversion reads it.
    if (!openAIWire) bad(`text.verbosity is not supported on channel type ${channelType}`, 'text.verbosity');
    chat.verbosity = text.verbosity;
  }
  const reasoning = isObject(body.reasoning) ? body.reasoning : undefined;
  if (reasoning && typeof reasoning.effort === 'string') chat.reasoning_effort = reasoning.effort;
  if (num(body.max_output_tokens) !== undefined) chat.max_tokens = body.max_output_tokens;
  for (const key of ['temperature', 'top_p', 'metadata', 'service_tier'] as const) if (body[key] !== undefined && body[key] !== null) chat[key] = body[key];
  const user = str(body.safety_identifier) ?? str(body.user);
  if (user) chat.user = user;
  // OpenAI's chat completions take the same cache-routing key; other wires have none (responsesIgnored).
  if (openAIWire && typeof body.prompt_cache_key === 'string') chat.prompt_cache_key = body.prompt_cache_key;
  if (body.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

// ------------------------------------------------------------------ replies

/** Chat usage → Responses usage (cached and reasoning tokens in their details). */
export function responsesUsage(u: unknown): Json | null {
  if (!isObject(u)) return null;
  const input = num(u.prompt_tokens) ?? 0;
  const output = num(u.completion_tokens) ?? 0;
  const cached = num((u.prompt_tokens_details as Json | undefined)?.cached_tokens) ?? 0;
  const reasoning = num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens) ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: num(u.total_tokens) ?? input + output,
  };
}

/** finish_reason → the Response's status and incomplete_details. */
function outcome(finish: unknown): { status: 'completed' | 'incomplete'; incomplete_details: Json | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** What a Response echoes of its request. */
export interface ResponseFrame {
  id: string;
  createdAt: number;
  model: string;
  request: Json;
}

export function newFrame(request: Json, model: string): ResponseFrame {
  return { id: newId('resp'), createdAt: Math.floor(Date.now() / 1000), model, request };
}

/** The Response object around `output`, echoing the request's settings as OpenAI does. */
function responseObject(f: ResponseFrame, status: string, output: Json[], usage: Json | null, incomplete: Json | null): Json {
  const r = f.request;
  const text = isObject(r.text) ? r.text : {};
  return {
    id: f.id,
    object: 'response',
    created_at: f.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: incomplete,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: f.model,
    output,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: (isObject(r.reasoning) ? r.reasoning.effort : null) ?? null, summary: (isObject(r.reasoning) ? r.reasoning.summary : null) ?? null },
    store: false,
    temperature: r.temperature ?? 1,
    text: { format: { type: 'text' }, ...text },
    tool_choice: r.tool_choice ?? 'auto',
    tools: Array.isArray(r.tools) ? r.tools : [],
    top_p: r.top_p ?? 1,
    truncation: r.truncation ?? 'disabled',
    usage,
    user: r.user ?? null,
    prompt_cache_key: r.prompt_cache_key ?? null,
    safety_identifier: r.safety_identifier ?? null,
    service_tier: r.service_tier ?? 'default',
    metadata: r.metadata ?? {},
  };
}

function reasoningItem(id: string, text: string, status?: string): Json {
  const item: Json = { id, type: 'reasoning', summary: text === '' ? [] : [{ type: 'summary_text', text }] };
  if (status) item.status = status;
  return item;
}

function messageItem(id: string, status: string, content: Json[]): Json {
  return { id, type: 'message', status, role: 'assistant', content };
}

const outputText = (text: string): Json => ({ type: 'output_text', text, annotations: [], logprobs: [] });

function functionCallItem(id: string, callId: string, name: string, args: string, status: string): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** A chat completion as a Response (reasoning, message and function_call items in that order). */
export function chatToResponse(chat: unknown, frame: ResponseFrame): Json {
  const c = isObject(chat) ? chat : {};
  const choice = Array.isArray(c.choices) && isObject(c.choices[0]) ? c.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const output: Json[] = [];
  const reasoning = str(message.reasoning_content) ?? str(message.reasoning);
  if (reasoning) output.push(reasoningItem(newId('rs'), reasoning));
  const content = str(message.content);
  const refusal = str(message.refusal);
  if (content || refusal) output.push(messageItem(newId('msg'), 'completed', [content ? outputText(content) : { type: 'refusal', refusal }]));
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as Json[]) {
      const fn = isObject(call.function) ? call.function : {};
      output.push(functionCallItem(newId('fc'), str(call.id) ?? newId('call'), str(fn.name) ?? '', str(fn.arguments) ?? '', 'completed'));
    }
  }
  const { status, incomplete_details } = outcome(choice.finish_reason);
  return responseObject(frame, status, output, responsesUsage(c.usage), incomplete_details);
}

// ------------------------------------------------------------------ streams

interface OpenItem {
  kind: 'reasoning' | 'message' | 'function_call';
  id: string;
  outputIndex: number;
  text: string;
  callId?: string;
  name?: string;
}

/**
 * Chat chunks → Responses SSE events (`event: <type>` + `data: {type, sequence_number, ...}`),
 * in OpenAI's order: response.created, response.in_progress, then per output item
 * output_item.added → (content_part.added → output_text.delta… → output_text.done →
 * content_part.done | function_call_arguments.delta… → .done | reasoning summary events) →
 * output_item.done, and response.completed (or response.incomplete) with the usage.
 */
export class ResponsesStreamWriter {
  private seq = 0;
  private started = false;
  private finished = false;
  private readonly output: Json[] = [];
  private open: OpenItem | null = null;
  /** chat tool_call index → its item, while the call streams. */
  private readonly calls = new Map<number, OpenItem>();
  private finish: unknown = null;
  /** The chat usage last reported. */
  usage: Json | undefined;

  constructor(private readonly frame: ResponseFrame) {}

  private event(type: string, data: Json): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...data })}\n\n`;
  }

  /** response.created and response.in_progress (once). */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const r = responseObject(this.frame, 'in_progress', [], null, null);
    return this.event('response.created', { response: r }) + this.event('response.in_progress', { response: r });
  }

  /** The events one chat chunk yields. */
  chunk(chunk: unknown): string {
    if (this.finished || !isObject(chunk)) return '';
    let out = this.start();
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : undefined;
    if (!choice) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
    if (reasoning) out += this.reasoningDelta(reasoning);
    const content = str(delta.content);
    if (content) out += this.textDelta(content);
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls as Json[]) out += this.toolDelta(call);
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) this.finish = choice.finish_reason;
    return out;
  }

  private reasoningDelta(text: string): string {
    let out = '';
    if (this.open?.kind !== 'reasoning') {
      out += this.closeOpen();
      const item: OpenItem = { kind: 'reasoning', id: newId('rs'), outputIndex: this.output.length, text: '' };
      this.output.push(reasoningItem(item.id, ''));
      this.open = item;
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: reasoningItem(item.id, '', 'in_progress') });
      out += this.event('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    const open = this.open as OpenItem;
    open.text += text;
    return out + this.event('response.reasoning_summary_text.delta', { item_id: open.id, output_index: open.outputIndex, summary_index: 0, delta: text });
  }

  private textDelta(text: string): string {
    let out = '';
    if (this.open?.kind !== 'message') {
      out += this.closeOpen();
      const item: OpenItem = { kind: 'message', id: newId('msg'), outputIndex: this.output.length, text: '' };
      this.output.push(messageItem(item.id, 'in_progress', []));
      this.open = item;
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: messageItem(item.id, 'in_progress', []) });
      out += this.event('response.content_part.added', { item_id: item.id, output_index: item.outputIndex, content_index: 0, part: outputText('') });
    }
    const open = this.open as OpenItem;
    open.text += text;
    return out + this.event('response.output_text.delta', { item_id: open.id, output_index: open.outputIndex, content_index: 0, delta: text, logprobs: [] });
  }

  private toolDelta(call: Json): string {
    const index = num(call.index) ?? 0;
    const fn = isObject(call.function) ? call.function : {};
    let out = '';
    let item = this.calls.get(index);
    if (!item) {
      out += this.closeOpen();
      item = { kind: 'function_call', id: newId('fc'), outputIndex: this.output.length, text: '', callId: str(call.id) ?? newId('call'), name: str(fn.name) ?? '' };
      this.calls.set(index, item);
      this.output.push(functionCallItem(item.id, item.callId ?? '', item.name ?? '', '', 'in_progress'));
      this.open = item;
      out += this.event('response.output_item.added', { output_index: item.outputIndex, item: functionCallItem(item.id, item.callId ?? '', item.name ?? '', '', 'in_progress') });
    } else if (this.open !== item) {
      // Chat interleaves calls only by index; Responses streams one item at a time.
      out += this.closeOpen();
      this.open = item;
    }
    const args = str(fn.arguments);
    if (args) {
      item.text += args;
      out += this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: item.outputIndex, delta: args });
    }
    return out;
  }

  /** Ends the item being streamed: its `.done` events, and its final form in the output. */
  private closeOpen(): string {
    const item = this.open;
    if (!item) return '';
    this.open = null;
    let out = '';
    let done: Json;
    if (item.kind === 'reasoning') {
      out += this.event('response.reasoning_summary_text.done', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, text: item.text });
      out += this.event('response.reasoning_summary_part.done', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: { type: 'summary_text', text: item.text } });
      done = reasoningItem(item.id, item.text);
    } else if (item.kind === 'message') {
      out += this.event('response.output_text.done', { item_id: item.id, output_index: item.outputIndex, content_index: 0, text: item.text, logprobs: [] });
      out += this.event('response.content_part.done', { item_id: item.id, output_index: item.outputIndex, content_index: 0, part: outputText(item.text) });
      done = messageItem(item.id, 'completed', [outputText(item.text)]);
    } else {
      out += this.event('response.function_call_arguments.done', { item_id: item.id, output_index: item.outputIndex, name: item.name, arguments: item.text });
      done = functionCallItem(item.id, item.callId ?? '', item.name ?? '', item.text, 'completed');
    }
    this.output[item.outputIndex] = done;
    return out + this.event('response.output_item.done', { output_index: item.outputIndex, item: done });
  }

  /** The normal end: open items closed, then response.completed (or response.incomplete). */
  end(): string {
    if (this.finished) return '';
    let out = this.start();
    out += this.closeOpen();
    for (const item of this.calls.values()) {
      if (this.output[item.outputIndex].status === 'in_progress') {
        this.open = item;
        out += this.closeOpen();
      }
    }
    this.finished = true;
    const { status, incomplete_details } = outcome(this.finish);
    const response = responseObject(this.frame, status, this.output, responsesUsage(this.usage), incomplete_details);
    return out + this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
  }

  /** An abnormal end: the Responses `error` event (what the SDKs raise), nothing after it. */
  error(code: string, message: string): string {
    if (this.finished) return '';
    this.finished = true;
    return this.event('error', { code, message, param: null });
  }
}

/** The `error` event of a Responses stream, for streams the relay did not number itself. */
export function responsesErrorEvent(code: string, message: string, sequenceNumber = 0): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: sequenceNumber, code, message, param: null })}\n\n`;
}

/**
 * The text a Responses request sends, as chat messages for counting prompt tokens before the
 * upstream answers. Lenient, unlike {@link chatMessages}: items only OpenAI itself understands
 * (built-in tool calls, references) count by their text, never fail.
 */
export function countableMessages(body: Json): Json[] {
  const out: Json[] = [];
  if (typeof body.instructions === 'string') out.push({ role: 'system', content: body.instructions });
  const input = body.input;
  if (typeof input === 'string') out.push({ role: 'user', content: input });
  else if (Array.isArray(input)) {
    for (const item of input as unknown[]) {
      if (!isObject(item)) continue;
      const role = typeof item.role === 'string' ? item.role : 'user';
      if (typeof item.content === 'string') out.push({ role, content: item.content });
      else if (Array.isArray(item.content)) {
        const parts = (item.content as unknown[]).filter(isObject).map((p) => (p.type === 'input_image' && typeof p.image_url === 'string' ? { type: 'image_url', image_url: { url: p.image_url } } : { type: 'text', text: str(p.text) ?? str(p.refusal) ?? '' }));
        out.push({ role, content: parts });
      } else {
        const text = [item.name, item.arguments, item.output].filter((v): v is string => typeof v === 'string').join(' ');
        if (text !== '') out.push({ role, content: text });
      }
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) out.push({ role: 'system', content: JSON.stringify(body.tools) });
  return out;
}
