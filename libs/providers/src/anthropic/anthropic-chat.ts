import type { ConversionContext, ResponseConversion, Usage } from '../adapter.types';
import { completionId, openAIError, usageOf, type OpenAIErrorBody } from '../native/openai-chunks';
import {
  asChatRequest,
  functionTools,
  imageUrlOf,
  num,
  parseDataUrl,
  parseToolArguments,
  partsOf,
  stopList,
  textOf,
  type OpenAIChatMessage,
  type OpenAIToolCall,
} from '../native/openai-chat.types';
import { toOpenAIFinishReason } from '../stop-reasons';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicUsage,
} from './anthropic.types';

/**
 * `max_tokens` is required by Anthropic and optional in OpenAI; One API sends 4096 when the
 * client gave none (relay/adaptor/anthropic/main.go ConvertRequest).
 */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

function imageBlock(url: string): AnthropicImageBlock {
  const data = parseDataUrl(url);
  // Anthropic fetches http(s) images itself ("url" sources), so the relay never downloads them.
  // https://docs.anthropic.com/en/docs/build-with-claude/vision
  return data ? { type: 'image', source: { type: 'base64', media_type: data.mimeType, data: data.data } } : { type: 'image', source: { type: 'url', url } };
}

/** Text and image parts of an OpenAI message as Anthropic blocks; empty text is dropped (Anthropic rejects it). */
function contentBlocks(content: OpenAIChatMessage['content']): (AnthropicTextBlock | AnthropicImageBlock)[] {
  const blocks: (AnthropicTextBlock | AnthropicImageBlock)[] = [];
  for (const part of partsOf(content)) {
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
      continue;
    }
    const url = imageUrlOf(part);
    if (url) blocks.push(imageBlock(url));
  }
  return blocks;
}

function toolUseBlocks(calls: OpenAIToolCall[] | undefined): AnthropicContentBlock[] {
  if (!Array.isArray(calls)) return [];
  return calls
    .filter((c) => typeof c?.function?.name === 'string')
    .map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.function.name, input: parseToolArguments(c.function.arguments) }));
}

function toolChoice(choice: unknown, parallel: unknown): AnthropicToolChoice | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'auto') return { type: 'auto', ...disable };
  if (choice === 'required') return { type: 'any', ...disable };
  if (choice === 'none') return { type: 'none' };
  if (typeof choice === 'object' && choice !== null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === 'string') return { type: 'tool', name, ...disable };
  }
  return parallel === false ? { type: 'auto', ...disable } : undefined;
}

/**
 * OpenAI chat request → Anthropic Messages request.
 * - system (and `developer`) messages become the top-level `system` string, in order;
 * - `tool` messages become `tool_result` blocks in a user turn; assistant `tool_calls` become
 *   `tool_use` blocks; consecutive turns of one role are merged, because every `tool_result` of a
 *   parallel call must sit in the one user message that follows the `tool_use` turn;
 * - images: data URLs → base64 sources, http(s) URLs → url sources.
 */
export function toAnthropicRequest(body: Record<string, unknown>, ctx: ConversionContext): AnthropicRequest {
  const req = asChatRequest(body);
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], content: AnthropicContentBlock[]) => {
    if (content.length === 0) return;
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content);
        if (text !== '') system.push(text);
        break;
      }
      case 'assistant':
        push('assistant', [...contentBlocks(m.content), ...toolUseBlocks(m.tool_calls)]);
        break;
      case 'tool':
      case 'function': {
        const blocks = contentBlocks(m.content);
        push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? m.name ?? '', content: blocks.length ? blocks : textOf(m.content) }]);
        break;
      }
      default:
        push('user', contentBlocks(m.content));
    }
  }

  const out: AnthropicRequest = {
    model: req.model || ctx.upstreamModel,
    messages,
    max_tokens: num(req.max_tokens) ?? num(req.max_completion_tokens) ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
  };
  if (system.length) out.system = system.join('\n\n');
  const stops = stopList(req.stop);
  if (stops) out.stop_sequences = stops;
  const temperature = num(req.temperature);
  if (temperature !== undefined) out.temperature = temperature;
  const topP = num(req.top_p);
  if (topP !== undefined) out.top_p = topP;
  const topK = num(req.top_k);
  if (topK !== undefined) out.top_k = topK;
  if (req.stream === true) out.stream = true;
  const tools = functionTools(req.tools);
  if (tools.length) {
    out.tools = tools.map((f) => ({
      name: f.name,
      ...(f.description ? { description: f.description } : {}),
      input_schema: f.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) out.tool_choice = choice;
  }
  if (typeof req.user === 'string' && req.user !== '') out.metadata = { user_id: req.user };
  return out;
}

/**
 * Anthropic usage → OpenAI usage. Cached prompt tokens are reported apart from `input_tokens`
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching), so they are added back:
 * OpenAI's `prompt_tokens` counts every prompt token.
 */
export function anthropicUsage(u: AnthropicUsage | undefined): Usage | undefined {
  if (!u) return undefined;
  const prompt = (num(u.input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0);
  return usageOf(prompt, num(u.output_tokens) ?? 0);
}

/** An Anthropic error body (`{type:"error",error:{type,message}}`) in OpenAI's shape; undefined for other bodies. */
export function anthropicErrorToOpenAI(body: unknown): OpenAIErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = (body as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return undefined;
  const { type, message } = e as { type?: unknown; message?: unknown };
  const t = typeof type === 'string' ? type : 'upstream_error';
  return openAIError(typeof message === 'string' ? message : '', t, t);
}

/** Anthropic message → OpenAI `chat.completion` (text joined, `tool_use` → `tool_calls`, thinking → `reasoning_content`). */
export function fromAnthropicResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const error = anthropicErrorToOpenAI(body);
  if (error || typeof body !== 'object' || body === null || !Array.isArray((body as AnthropicResponse).content)) {
    throw new Error(`Anthropic reply is not a message: ${error?.error.message ?? 'unexpected body'}`);
  }
  const res = body as AnthropicResponse;
  let text = '';
  let reasoning = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of res.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: Record<string, unknown> = { role: 'assistant', content: text === '' && toolCalls.length ? null : text };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const usage = anthropicUsage(res.usage);
  return {
    body: {
      id: res.id ? `chatcmpl-${res.id}` : completionId(),
      object: 'chat.completion',
      created: Math.floor(now / 1000),
      model: ctx.requestModel,
      choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason('anthropic', res.stop_reason) ?? 'stop' }],
      usage: usage ?? usageOf(0, 0),
    },
    usage,
  };
}
