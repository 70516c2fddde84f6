/**
 * Anthropic Messages ⇄ OpenAI Chat Completions, for channels that only speak chat
 * (https://docs.anthropic.com/en/api/messages). Pure functions: a Messages request becomes a chat
 * request, a chat completion becomes a Message. What chat cannot express is a 400 naming the
 * parameter, never a silent drop.
 */
import { randomBytes } from 'node:crypto';
import type { Usage } from '@oneapi/providers';
import { RelayErrorCode, RelayException } from '../../errors/relay.exception';
import type { ProtocolContext } from '../client-protocol';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function unsupported(param: string, why: string, ctx: ProtocolContext): never {
  throw new RelayException(
    RelayErrorCode.InvalidRequest,
    `${param}: ${why} when model ${ctx.requestModel} is served by a ${ctx.adapter.name} channel (through chat completions)`,
    param,
  );
}

/** A Message id as Anthropic's look. */
export function messageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/** Top-level Messages fields the bridge converts (or may ignore without changing the answer). */
const BRIDGED_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  // An optimisation hint (see messagesIgnored).
  'context_management',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  // Prompt caching, priority capacity and fast mode are Anthropic's own; chat answers the same without them.
  'cache_control',
  'service_tier',
  'speed',
  'diagnostics',
]);

/** OpenAI `finish_reason` → Anthropic `stop_reason` (the reverse of the providers' STOP_REASONS.anthropic). */
export const ANTHROPIC_STOP_REASON: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Messages `output_config.effort` → OpenAI `reasoning_effort` (chat's scale stops at high). */
const EFFORT: Readonly<Record<string, string>> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

/** Thinking budget → OpenAI `reasoning_effort` (Anthropic's minimum budget is 1024 tokens). */
export function reasoningEffort(budget: number): 'low' | 'medium' | 'high' {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

/** Models that take `reasoning_effort` on OpenAI's wire (o-series, gpt-5); others reject it. */
const OPENAI_REASONING_MODEL = /^(o\d|gpt-5)/;

/** The text of a `system` value (a string or text blocks; cache_control has no chat equivalent and is dropped). */
function systemText(system: unknown, ctx: ProtocolContext | null): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system
    .map((b, i) => {
      if (isObject(b) && b.type === 'text' && typeof b.text === 'string') return b.text;
      if (ctx) unsupported(`system.${i}`, 'only text blocks are supported', ctx);
      return '';
    })
    .filter((t) => t !== '')
    .join('\n\n');
}

function imagePart(block: Json, param: string, ctx: ProtocolContext | null): Json | null {
  const source = isObject(block.source) ? block.source : {};
  if (source.type === 'base64' && typeof source.data === 'string') {
    return { type: 'image_url', image_url: { url: `data:${str(source.media_type) ?? 'image/png'};base64,${source.data}` } };
  }
  if (source.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  if (ctx) unsupported(`${param}.source`, `image source type ${JSON.stringify(source.type)} is not supported`, ctx);
  return null;
}

/** Text of a tool_result's content (a string or text blocks). */
function toolResultText(content: unknown, param: string, ctx: ProtocolContext | null): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b, i) => {
      if (isObject(b) && b.type === 'text') return str(b.text) ?? '';
      if (ctx) unsupported(`${param}.content.${i}`, `${String(isObject(b) ? b.type : typeof b)} blocks in a tool_result are not supported`, ctx);
      return '';
    })
    .join('');
}

/**
 * Anthropic messages (and system) as OpenAI chat messages. With `ctx` null the conversion is
 * lenient (prompt counting); with a context, what chat cannot carry is a 400.
 * - a user turn's `tool_result` blocks become `tool` messages, before the rest of the turn;
 * - an assistant turn's `tool_use` blocks become `tool_calls`; earlier `thinking` is dropped
 *   (chat has no way to send it back, and providers ignore it there too);
 * - images: base64 → data URLs, url → URLs.
 */
export function chatMessagesOf(body: Json, ctx: ProtocolContext | null): Json[] {
  const out: Json[] = [];
  const system = systemText(body.system, ctx);
  if (system !== '') out.push({ role: 'system', content: system });
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((m, i) => {
    if (!isObject(m)) return;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    if (typeof m.content === 'string') {
      out.push({ role, content: m.content });
      return;
    }
    const blocks = Array.isArray(m.content) ? m.content : [];
    const parts: Json[] = [];
    const toolCalls: Json[] = [];
    blocks.forEach((b, j) => {
      if (!isObject(b)) return;
      const param = `messages.${i}.content.${j}`;
      switch (b.type) {
        case 'text':
          if (typeof b.text === 'string' && b.text !== '') parts.push({ type: 'text', text: b.text });
          break;
        case 'image': {
          if (role === 'assistant' && ctx) unsupported(param, 'images in assistant turns are not supported', ctx);
          const part = imagePart(b, param, ctx);
          if (part) parts.push(part);
          break;
        }
        case 'tool_use':
          toolCalls.push({ id: str(b.id) ?? '', type: 'function', function: { name: str(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } });
          break;
        case 'tool_result':
          out.push({ role: 'tool', tool_call_id: str(b.tool_use_id) ?? '', content: toolResultText(b.content, param, ctx) || (b.is_error === true ? 'error' : '') });
          break;
        case 'thinking':
        case 'redacted_thinking':
          break;
        default:
          if (ctx) unsupported(`${param}.type`, `${JSON.stringify(b.type)} content blocks are not supported`, ctx);
      }
    });
    if (role === 'assistant') {
      const text = parts.map((p) => p.text as string).join('');
      if (text === '' && toolCalls.length === 0) return;
      out.push({ role, content: text === '' ? null : text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
      return;
    }
    if (parts.length === 0) return;
    out.push({ role, content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text as string).join('') : parts });
  });
  return out;
}

function chatTools(tools: unknown, ctx: ProtocolContext): Json[] | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) unsupported('tools', 'must be a list', ctx);
  return tools.map((t, i) => {
    // Server tools (web search, code execution, computer use...) run at Anthropic.
    if (!isObject(t) || (t.type !== undefined && t.type !== 'custom') || !isObject(t.input_schema)) {
      unsupported(`tools.${i}`, `server tool ${JSON.stringify(isObject(t) ? t.type : t)} is not supported`, ctx);
    }
    const fn: Json = { name: str(t.name) ?? '', parameters: t.input_schema };
    if (typeof t.description === 'string') fn.description = t.description;
    return { type: 'function', function: fn };
  });
}

function chatToolChoice(choice: unknown, out: Json, ctx: ProtocolContext): void {
  if (choice === undefined) return;
  if (!isObject(choice)) unsupported('tool_choice', 'must be an object', ctx);
  switch (choice.type) {
    case 'auto':
      out.tool_choice = 'auto';
      break;
    case 'any':
      out.tool_choice = 'required';
      break;
    case 'none':
      out.tool_choice = 'none';
      break;
    case 'tool':
      out.tool_choice = { type: 'function', function: { name: str(choice.name) ?? '' } };
      break;
    default:
      unsupported('tool_choice.type', `${JSON.stringify(choice.type)} is not supported`, ctx);
  }
  if (choice.disable_parallel_tool_use === true && out.tools) out.parallel_tool_calls = false;
}

/**
 * What the bridge accepts and leaves out: `context_management` (Claude Code's `clear_tool_uses` /
 * `clear_thinking` edits) only tells Anthropic's server to trim old tool results or thinking once
 * the context grows past a trigger; without it the model sees the whole conversation, which
 * chat upstreams are sent anyway (one that overflows answers its own 400 as for any long prompt).
 */
export function messagesIgnored(body: Json): string[] {
  return body.context_management !== undefined && body.context_management !== null ? ['context_management'] : [];
}

/**
 * A Messages request as an OpenAI chat request. `top_k` goes along for non-OpenAI wires (Gemini
 * takes it) and is a 400 on OpenAI's, which has no such parameter; `thinking` (its budget) and
 * `output_config.effort` become `reasoning_effort` where the model takes it (OpenAI's o-series
 * and gpt-5, every non-OpenAI wire) and are left out otherwise, the answer then coming without
 * thinking; `output_config.format` becomes a json_schema `response_format`. Adaptive thinking
 * leaves the effort to the model. Data residency (`inference_geo`), containers and MCP servers
 * have no chat equivalent: 400.
 */
export function messagesToChat(body: Json, ctx: ProtocolContext): Json {
  for (const key of Object.keys(body)) {
    if (!BRIDGED_FIELDS.has(key)) unsupported(key, 'this parameter is not supported', ctx);
  }
  const out: Json = { model: ctx.upstreamModel, messages: chatMessagesOf(body, ctx) };
  const maxTokens = num(body.max_tokens);
  if (maxTokens !== undefined) out.max_tokens = maxTokens;
  if (body.stream === true) out.stream = true;
  for (const k of ['temperature', 'top_p'] as const) if (num(body[k]) !== undefined) out[k] = body[k];
  if (num(body.top_k) !== undefined) {
    if (ctx.adapter.wireFormat === 'openai') unsupported('top_k', 'OpenAI chat completions have no top_k', ctx);
    out.top_k = body.top_k;
  }
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length) out.stop = body.stop_sequences;
  const tools = chatTools(body.tools, ctx);
  if (tools?.length) out.tools = tools;
  chatToolChoice(body.tool_choice, out, ctx);
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id;
  const reasons = ctx.adapter.wireFormat !== 'openai' || OPENAI_REASONING_MODEL.test(ctx.upstreamModel);
  if (isObject(body.thinking) && body.thinking.type === 'enabled' && reasons) out.reasoning_effort = reasoningEffort(num(body.thinking.budget_tokens) ?? 1024);
  const config = isObject(body.output_config) ? body.output_config : {};
  const effort = EFFORT[String(config.effort)];
  if (effort && reasons) out.reasoning_effort = effort;
  if (config.format !== undefined && config.format !== null) {
    const format = isObject(config.format) ? config.format : {};
    if (format.type !== 'json_schema' || !isObject(format.schema)) unsupported('output_config.format', 'only json_schema formats are supported', ctx);
    out.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
  }
  return out;
}

/** OpenAI usage → Anthropic's (cached prompt tokens reported apart from `input_tokens`). */
export function anthropicUsageOf(u: Usage | undefined, promptFallback = 0): Json {
  const prompt = u ? u.prompt_tokens : promptFallback;
  const read = u?.cache_read_tokens ?? 0;
  const write = u?.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(0, prompt - read - write),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    output_tokens: u?.completion_tokens ?? 0,
  };
}

/** A chat usage object (cached tokens in `prompt_tokens_details`) as the relay's Usage. */
export function chatUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = num(u.prompt_tokens) ?? 0;
  const completion = num(u.completion_tokens) ?? 0;
  const cached = isObject(u.prompt_tokens_details) ? (num(u.prompt_tokens_details.cached_tokens) ?? 0) : 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: num(u.total_tokens) ?? prompt + completion, ...(cached ? { cache_read_tokens: cached } : {}) };
}

/** An OpenAI `chat.completion` as an Anthropic Message: thinking, text, then tool_use blocks. */
export function chatToMessage(chat: Json, ctx: ProtocolContext): Json {
  const choice = Array.isArray(chat.choices) && isObject(chat.choices[0]) ? chat.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: Json[] = [];
  const reasoning = str(message.reasoning_content) ?? str(message.reasoning);
  if (reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const text = str(message.content);
  if (text) content.push({ type: 'text', text });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const c of calls) {
    if (!isObject(c) || !isObject(c.function)) continue;
    let input: unknown = {};
    try {
      input = JSON.parse(str(c.function.arguments) || '{}');
    } catch {
      input = {};
    }
    content.push({ type: 'tool_use', id: str(c.id) ?? `toolu_${randomBytes(12).toString('hex')}`, name: str(c.function.name) ?? '', input: isObject(input) ? input : {} });
  }
  const finish = str(choice.finish_reason) ?? 'stop';
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: ctx.requestModel,
    content,
    stop_reason: ANTHROPIC_STOP_REASON[finish] ?? 'end_turn',
    stop_sequence: null,
    usage: anthropicUsageOf(chatUsage(chat.usage), ctx.promptTokens),
  };
}
