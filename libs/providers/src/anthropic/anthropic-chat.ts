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
import { UnsupportedParameterError } from '../errors';
import { checkFunctionTools, checkNoOpOnly, fileOf, reasoningBudget, responseFormatOf } from '../native/media-parts';
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
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

type UserBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock;

/**
 * Text, image and PDF parts of an OpenAI message as Anthropic blocks; empty text is dropped
 * (Anthropic rejects it). Audio and other files cannot be expressed: 400 naming the part.
 */
function contentBlocks(content: OpenAIChatMessage['content'], param: string): UserBlock[] {
  const blocks: UserBlock[] = [];
  partsOf(content).forEach((part, j) => {
    const at = `${param}[${j}]`;
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
      return;
    }
    const url = imageUrlOf(part);
    if (url) {
      blocks.push(imageBlock(url));
      return;
    }
    if (part.type === 'input_audio') throw new UnsupportedParameterError(at, `${at}: Anthropic models take no audio input`);
    const file = fileOf(part, at);
    if (file) {
      if (file.mimeType !== 'application/pdf') throw new UnsupportedParameterError(at, `${at}: Anthropic takes PDF files only, not ${file.mimeType}`);
      blocks.push({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: file.data } });
      return;
    }
    throw new UnsupportedParameterError(at, `${at}: content part type "${part.type}" is not supported by Anthropic`);
  });
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
 * The tool through which a `response_format` of json_object / json_schema is asked for: Anthropic
 * has no JSON mode, so the schema becomes a forced tool's `input_schema` and the tool's input
 * comes back as the message content (Anthropic's own recipe:
 * https://docs.anthropic.com/en/docs/test-and-evaluate/strengthen-guardrails/increase-consistency).
 */
export const ANTHROPIC_RESPONSE_TOOL = 'json_response';

function applyResponseFormat(out: AnthropicRequest, value: unknown): void {
  const format = responseFormatOf(value);
  if (!format || format.type === 'text') return;
  if (out.tools?.length) {
    throw new UnsupportedParameterError('response_format', 'response_format: Anthropic gives structured output through a forced tool, which cannot be combined with your own tools');
  }
  const schema = format.type === 'json_schema' ? format.schema : { type: 'object' };
  const description = format.type === 'json_schema' ? (format.description ?? `Answer with a JSON value matching the schema "${format.name}".`) : 'Answer with a JSON object.';
  out.tools = [{ name: ANTHROPIC_RESPONSE_TOOL, description, input_schema: schema }];
  out.tool_choice = { type: 'tool', name: ANTHROPIC_RESPONSE_TOOL };
}

/**
 * `reasoning_effort` → extended thinking with the budget of `reasoningBudget`. Anthropic counts
 * thinking in `max_tokens`, so the budget is added to the client's limit (or the default);
 * thinking requires temperature 1, no top_k, top_p ≥ 0.95 and no forced tool, so a request that
 * sets those otherwise is answered 400 naming the field rather than changed.
 */
function applyThinking(out: AnthropicRequest, effort: unknown, clientMax: number | undefined): void {
  const budget = reasoningBudget(effort);
  if (!budget) return;
  if (out.temperature !== undefined && out.temperature !== 1) throw new UnsupportedParameterError('temperature', 'temperature: Anthropic extended thinking (reasoning_effort) works only at temperature 1');
  if (out.top_k !== undefined) throw new UnsupportedParameterError('top_k', 'top_k: Anthropic extended thinking (reasoning_effort) does not take top_k');
  if (out.top_p !== undefined && out.top_p < 0.95) throw new UnsupportedParameterError('top_p', 'top_p: Anthropic extended thinking (reasoning_effort) needs top_p of at least 0.95');
  const forced = out.tool_choice?.type === 'any' || out.tool_choice?.type === 'tool';
  if (forced) {
    const param = out.tool_choice?.type === 'tool' && out.tool_choice.name === ANTHROPIC_RESPONSE_TOOL ? 'response_format' : 'tool_choice';
    throw new UnsupportedParameterError(param, `${param}: Anthropic extended thinking (reasoning_effort) cannot be combined with a forced tool`);
  }
  out.thinking = { type: 'enabled', budget_tokens: budget };
  out.max_tokens = (clientMax ?? ANTHROPIC_DEFAULT_MAX_TOKENS) + budget;
}

/**
 * OpenAI chat request → Anthropic Messages request.
 * - system (and `developer`) messages become the top-level `system` string, in order;
 * - `tool` messages become `tool_result` blocks in a user turn; assistant `tool_calls` become
 *   `tool_use` blocks; consecutive turns of one role are merged, because every `tool_result` of a
 *   parallel call must sit in the one user message that follows the `tool_use` turn;
 * - images: data URLs → base64 sources, http(s) URLs → url sources; PDF files → document blocks;
 * - response_format json_object / json_schema → a forced tool (`ANTHROPIC_RESPONSE_TOOL`) whose
 *   input is the answer; reasoning_effort → extended thinking;
 * - what Anthropic cannot express (n > 1, logprobs, non-zero penalties, logit_bias, audio input,
 *   other files) throws `UnsupportedParameterError` naming the parameter; `seed` is a hint
 *   Anthropic has no use for and is left out.
 */
export function toAnthropicRequest(body: Record<string, unknown>, ctx: ConversionContext): AnthropicRequest {
  const req = asChatRequest(body);
  checkFunctionTools(body.tools);
  const n = num(req.n);
  if (n !== undefined && n !== 1) throw new UnsupportedParameterError('n', 'n: Anthropic returns one choice per request; send n = 1 or leave it out');
  if (body.logprobs === true) throw new UnsupportedParameterError('logprobs', 'logprobs: Anthropic does not return token log probabilities');
  checkNoOpOnly(body, ['presence_penalty', 'frequency_penalty'], 'Anthropic');
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], content: AnthropicContentBlock[]) => {
    if (content.length === 0) return;
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  req.messages.forEach((m, i) => {
    const param = `messages[${i}].content`;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content);
        if (text !== '') system.push(text);
        break;
      }
      case 'assistant':
        push('assistant', [...contentBlocks(m.content, param), ...toolUseBlocks(m.tool_calls)]);
        break;
      case 'tool':
      case 'function': {
        const blocks = contentBlocks(m.content, param).filter((b): b is AnthropicTextBlock | AnthropicImageBlock => b.type !== 'document');
        push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? m.name ?? '', content: blocks.length ? blocks : textOf(m.content) }]);
        break;
      }
      default:
        push('user', contentBlocks(m.content, param));
    }
  });

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
  applyResponseFormat(out, body.response_format);
  applyThinking(out, body.reasoning_effort, num(req.max_tokens) ?? num(req.max_completion_tokens));
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

/** The OpenAI finish reason; a `tool_use` stop that only answered `response_format` is a plain stop. */
export function finishOf(stopReason: string | null | undefined, calledTools: boolean): string {
  const reason = toOpenAIFinishReason('anthropic', stopReason) ?? 'stop';
  return reason === 'tool_calls' && !calledTools ? 'stop' : reason;
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
    else if (block.type === 'tool_use' && block.name === ANTHROPIC_RESPONSE_TOOL) text += JSON.stringify(block.input ?? {});
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
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishOf(res.stop_reason, toolCalls.length > 0) }],
      usage: usage ?? usageOf(0, 0),
    },
    usage,
  };
}
