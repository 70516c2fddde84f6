import type { ConversionContext, ResponseConversion, Usage } from '../adapter.types';
import { UnsupportedParameterError } from '../errors';
import { asChatRequest, functionTools, imageUrlOf, num, partsOf, stopList, textOf, type OpenAIChatMessage } from '../native/openai-chat.types';
import { completionId, usageOf } from '../native/openai-chunks';
import { toOpenAIFinishReason } from '../stop-reasons';
import type { CohereChatRequest, CohereChatResponse, CohereContent, CohereMessage, CohereUsage } from './cohere-chat.types';

function userContent(m: OpenAIChatMessage): CohereContent {
  if (typeof m.content === 'string') return m.content;
  const out: Exclude<CohereContent, string> = [];
  for (const p of partsOf(m.content)) {
    if (p.type === 'text' && typeof (p as { text?: unknown }).text === 'string') out.push({ type: 'text', text: (p as { text: string }).text });
    const url = imageUrlOf(p);
    if (url) out.push({ type: 'image_url', image_url: { url } });
  }
  return out;
}

/**
 * OpenAI chat body → Cohere v2 chat: messages keep their roles (developer → system), tool calls
 * and tool results carry their ids, `top_p` → `p`, `stop` → `stop_sequences`, `response_format`
 * json_object / json_schema → Cohere's `response_format` (with the schema). `tool_choice`
 * `required`/`none` map to REQUIRED/NONE; a named function becomes REQUIRED over that tool alone.
 */
export function toCohereChatRequest(body: Record<string, unknown>, ctx: ConversionContext): CohereChatRequest {
  const req = asChatRequest(body);
  if ((num(req.n) ?? 1) > 1) throw new UnsupportedParameterError('n', 'n: Cohere chat returns one reply');
  const messages: CohereMessage[] = [];
  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
      case 'developer':
        messages.push({ role: 'system', content: textOf(m.content) });
        break;
      case 'user':
        messages.push({ role: 'user', content: userContent(m) });
        break;
      case 'assistant': {
        const text = textOf(m.content);
        const calls = (m.tool_calls ?? []).filter((c) => c?.type === 'function' && typeof c.function?.name === 'string');
        messages.push({
          role: 'assistant',
          ...(text !== '' ? { content: text } : {}),
          ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments || '{}' } })) } : {}),
        });
        break;
      }
      case 'tool':
        messages.push({ role: 'tool', tool_call_id: m.tool_call_id ?? '', content: textOf(m.content) });
        break;
      default:
        break;
    }
  }
  const out: CohereChatRequest = { model: ctx.upstreamModel, messages };
  if (req.stream === true) out.stream = true;
  let tools = functionTools(req.tools);
  const choice = req.tool_choice;
  if (typeof choice === 'object' && choice?.type === 'function') {
    tools = tools.filter((t) => t.name === choice.function.name);
    out.tool_choice = 'REQUIRED';
  } else if (choice === 'required') out.tool_choice = 'REQUIRED';
  else if (choice === 'none') out.tool_choice = 'NONE';
  if (tools.length > 0) out.tools = tools.map((f) => ({ type: 'function', function: { name: f.name, ...(f.description ? { description: f.description } : {}), ...(f.parameters ? { parameters: f.parameters } : {}) } }));
  const maxTokens = num(req.max_completion_tokens) ?? num(req.max_tokens);
  if (maxTokens !== undefined) out.max_tokens = maxTokens;
  const stop = stopList(req.stop);
  if (stop) out.stop_sequences = stop;
  const set = <K extends keyof CohereChatRequest>(k: K, v: CohereChatRequest[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('temperature', num(req.temperature));
  set('p', num(req.top_p));
  set('k', num(req.top_k));
  set('seed', num(req.seed));
  set('frequency_penalty', num(req.frequency_penalty));
  set('presence_penalty', num(req.presence_penalty));
  const rf = req.response_format as { type?: string; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  if (rf?.type === 'json_object') out.response_format = { type: 'json_object' };
  else if (rf?.type === 'json_schema' && rf.json_schema?.schema) out.response_format = { type: 'json_object', json_schema: rf.json_schema.schema };
  return out;
}

/** Cohere's usage as billed (`billed_units`), falling back to the model's token counts. */
export function cohereUsage(u: CohereUsage | undefined): Usage | undefined {
  if (!u) return undefined;
  const src = u.billed_units && (u.billed_units.input_tokens !== undefined || u.billed_units.output_tokens !== undefined) ? u.billed_units : u.tokens;
  if (!src) return undefined;
  return usageOf(num(src.input_tokens) ?? 0, num(src.output_tokens) ?? 0);
}

/** Cohere v2 chat reply → OpenAI `chat.completion`. */
export function fromCohereChatResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const r = body as CohereChatResponse;
  if (typeof r !== 'object' || r === null || typeof r.message !== 'object') throw new Error('not a Cohere chat reply');
  const text = (r.message.content ?? []).map((c) => (c.type === 'text' && typeof c.text === 'string' ? c.text : '')).join('');
  const calls = r.message.tool_calls ?? [];
  const usage = cohereUsage(r.usage);
  const message: Record<string, unknown> = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
  const finish = toOpenAIFinishReason('cohere', r.finish_reason) ?? 'stop';
  const out: Record<string, unknown> = {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: ctx.requestModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
  };
  if (usage) out.usage = usage;
  return { body: out, usage };
}
