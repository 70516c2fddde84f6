import type { ConversionContext, ResponseConversion, Usage } from '../adapter.types';
import { completionId, openAIError, toolCallId, usageOf, type OpenAIErrorBody } from '../native/openai-chunks';
import {
  asChatRequest,
  functionTools,
  imageMimeFromUrl,
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
import { toOpenAIFinishReason, type OpenAIFinishReason } from '../stop-reasons';
import { UnsupportedParameterError } from '../errors';
import { audioOf, checkFunctionTools, checkNoOpOnly, fileOf, reasoningBudget, responseFormatOf } from '../native/media-parts';
import { toGeminiSchema } from './gemini-schema';
import type { GeminiCandidate, GeminiContent, GeminiPart, GeminiRequest, GeminiResponse, GeminiUsageMetadata } from './gemini.types';

/**
 * One API lowers every safety filter (GEMINI_SAFETY_SETTING, default BLOCK_NONE, in
 * relay/adaptor/gemini/main.go): moderation is the gateway operator's call, not the relay's.
 */
export const GEMINI_SAFETY_CATEGORIES = ['HARM_CATEGORY_HARASSMENT', 'HARM_CATEGORY_HATE_SPEECH', 'HARM_CATEGORY_SEXUALLY_EXPLICIT', 'HARM_CATEGORY_DANGEROUS_CONTENT'] as const;
export const GEMINI_SAFETY_THRESHOLD = 'BLOCK_NONE';

/**
 * Tool parameters in Gemini's schema subset (see `toGeminiSchema`); undefined for "no parameters":
 * an OBJECT with no properties is rejected by Gemini ("properties: should be non-empty for OBJECT type").
 */
export function geminiSchema(schema: unknown, param = 'parameters'): Record<string, unknown> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const out = toGeminiSchema(schema, param);
  const props = out.properties;
  if (out.type === 'object' && (typeof props !== 'object' || props === null || Object.keys(props).length === 0)) return undefined;
  return out;
}

function imagePart(url: string): GeminiPart {
  const data = parseDataUrl(url);
  if (data) return { inlineData: { mimeType: data.mimeType, data: data.data } };
  // Gemini does not download arbitrary URLs: with USER_CONTENT_REQUEST_PROXY set the relay has
  // already inlined them (as One API's GetImageFromUrl does); otherwise fileData, which works for
  // Files API, gs:// and some public URLs.
  return { fileData: { mimeType: imageMimeFromUrl(url), fileUri: url } };
}

/** Text, image, file (PDF and the other types Gemini reads) and audio parts as Gemini parts. */
function contentParts(content: OpenAIChatMessage['content'], param: string): GeminiPart[] {
  const parts: GeminiPart[] = [];
  partsOf(content).forEach((part, j) => {
    const at = `${param}[${j}]`;
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text !== '') parts.push({ text: part.text });
      return;
    }
    const url = imageUrlOf(part);
    if (url) {
      parts.push(imagePart(url));
      return;
    }
    const media = fileOf(part, at) ?? audioOf(part, at);
    if (media) {
      parts.push({ inlineData: { mimeType: media.mimeType, data: media.data } });
      return;
    }
    throw new UnsupportedParameterError(at, `${at}: content part type "${part.type}" is not supported by Gemini`);
  });
  return parts;
}

/** A tool message's content as Gemini's functionResponse.response (must be a JSON object). */
function functionResponse(content: OpenAIChatMessage['content']): Record<string, unknown> {
  const text = textOf(content);
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* plain text result */
  }
  return { content: text };
}

function toolConfig(choice: unknown): GeminiRequest['toolConfig'] {
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (typeof choice === 'object' && choice !== null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === 'string') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  return undefined;
}

/**
 * OpenAI chat request → Gemini generateContent request.
 * - system/developer messages → `systemInstruction` (v1beta), the rest → `contents` with roles
 *   `user`/`model`; consecutive turns of one role are merged (parallel function responses must
 *   arrive together, in one turn);
 * - assistant `tool_calls` → `functionCall` parts; `tool` messages → `functionResponse` parts,
 *   named after the call they answer (Gemini matches responses by function name, not by id);
 * - images: data URLs → `inlineData`, other URLs → `fileData`;
 * - files (PDF...) and input_audio → `inlineData` with their MIME types;
 * - max_tokens/temperature/top_p/top_k/stop/n/seed/penalties → `generationConfig`;
 *   response_format json_schema → `responseMimeType` + `responseSchema` (`toGeminiSchema`),
 *   reasoning_effort → `thinkingConfig.thinkingBudget`;
 * - what Gemini cannot express throws `UnsupportedParameterError` naming the parameter.
 */
export function toGeminiRequest(body: Record<string, unknown>): GeminiRequest {
  const req = asChatRequest(body);
  checkFunctionTools(body.tools);
  const n = num(req.n);
  // Streams carry candidate 0 only (one choice per chunk stream); JSON replies carry every candidate.
  if (req.stream === true && n !== undefined && n > 1) throw new UnsupportedParameterError('n', 'n: Gemini streams one choice; send n = 1 or ask without stream');
  if (body.logprobs === true) throw new UnsupportedParameterError('logprobs', 'logprobs: not relayed from Gemini');
  checkNoOpOnly(body, [], 'Gemini');
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  req.messages.forEach((m, i) => {
    const param = `messages[${i}].content`;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content);
        if (text !== '') system.push({ text });
        break;
      }
      case 'assistant': {
        const calls: OpenAIToolCall[] = Array.isArray(m.tool_calls) ? m.tool_calls.filter((c) => typeof c?.function?.name === 'string') : [];
        for (const c of calls) callNames.set(c.id, c.function.name);
        push('model', [...contentParts(m.content, param), ...calls.map((c) => ({ functionCall: { name: c.function.name, args: parseToolArguments(c.function.arguments) } }))]);
        break;
      }
      case 'tool':
      case 'function': {
        const name = (m.tool_call_id ? callNames.get(m.tool_call_id) : undefined) ?? m.name ?? '';
        push('user', [{ functionResponse: { name, response: functionResponse(m.content) } }]);
        break;
      }
      default:
        push('user', contentParts(m.content, param));
    }
  });

  const out: GeminiRequest = {
    contents,
    safetySettings: GEMINI_SAFETY_CATEGORIES.map((category) => ({ category, threshold: GEMINI_SAFETY_THRESHOLD })),
  };
  if (system.length) out.systemInstruction = { parts: system };
  const gc: NonNullable<GeminiRequest['generationConfig']> = {};
  const set = <K extends keyof typeof gc>(k: K, v: (typeof gc)[K] | undefined) => {
    if (v !== undefined) gc[k] = v;
  };
  set('maxOutputTokens', num(req.max_tokens) ?? num(req.max_completion_tokens));
  set('temperature', num(req.temperature));
  set('topP', num(req.top_p));
  set('topK', num(req.top_k));
  set('stopSequences', stopList(req.stop));
  set('candidateCount', num(req.n) !== undefined && num(req.n) !== 1 ? num(req.n) : undefined);
  set('seed', num(req.seed));
  set('presencePenalty', num(req.presence_penalty));
  set('frequencyPenalty', num(req.frequency_penalty));
  const format = responseFormatOf(body.response_format);
  if (format?.type === 'json_object') gc.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    gc.responseMimeType = 'application/json';
    const schema = toGeminiSchema(format.schema, 'response_format.json_schema.schema');
    // An object schema without properties constrains nothing Gemini can take: plain JSON mode.
    if (!(schema.type === 'object' && !schema.properties)) gc.responseSchema = schema;
  }
  const budget = reasoningBudget(body.reasoning_effort);
  if (budget !== undefined) gc.thinkingConfig = { thinkingBudget: budget };
  if (Object.keys(gc).length) out.generationConfig = gc;
  const tools = functionTools(req.tools);
  if (tools.length) {
    out.tools = [
      {
        functionDeclarations: tools.map((f, i) => {
          const parameters = geminiSchema(f.parameters, `tools[${i}].function.parameters`);
          return { name: f.name, ...(f.description ? { description: f.description } : {}), ...(parameters ? { parameters } : {}) };
        }),
      },
    ];
    const tc = toolConfig(req.tool_choice);
    if (tc) out.toolConfig = tc;
  }
  return out;
}

/**
 * Gemini usage → OpenAI usage. Thinking tokens are billed as output
 * (https://ai.google.dev/gemini-api/docs/thinking#pricing), so they count as completion tokens.
 */
export function geminiUsage(u: GeminiUsageMetadata | undefined): Usage | undefined {
  if (!u) return undefined;
  const prompt = num(u.promptTokenCount) ?? 0;
  const completion = (num(u.candidatesTokenCount) ?? 0) + (num(u.thoughtsTokenCount) ?? 0);
  return usageOf(prompt, completion, num(u.totalTokenCount) ?? prompt + completion);
}

/** Google's error body (`{error:{code,message,status}}`) in OpenAI's shape; undefined for other bodies. */
export function geminiErrorToOpenAI(body: unknown): OpenAIErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = (body as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, message, status } = e as { code?: unknown; message?: unknown; status?: unknown };
  return openAIError(typeof message === 'string' ? message : '', typeof status === 'string' ? status.toLowerCase() : 'upstream_error', code === undefined ? null : String(code));
}

/** Text, reasoning and tool calls of one candidate's parts. */
export function readParts(parts: GeminiPart[] | undefined): { text: string; reasoning: string; calls: { name: string; args: Record<string, unknown> }[] } {
  let text = '';
  let reasoning = '';
  const calls: { name: string; args: Record<string, unknown> }[] = [];
  for (const p of parts ?? []) {
    if (p.functionCall) calls.push({ name: p.functionCall.name, args: p.functionCall.args ?? {} });
    else if (typeof p.text === 'string') {
      if (p.thought) reasoning += p.text;
      else text += p.text;
    }
  }
  return { text, reasoning, calls };
}

/** A candidate's finish reason: function calls finish as `tool_calls` (Gemini says STOP). */
export function candidateFinish(c: GeminiCandidate, hadCalls: boolean): OpenAIFinishReason | null {
  const reason = toOpenAIFinishReason('gemini', c.finishReason);
  return reason === 'stop' && hadCalls ? 'tool_calls' : reason;
}

/** Gemini generateContent reply → OpenAI `chat.completion` (one choice per candidate). */
export function fromGeminiResponse(body: unknown, ctx: ConversionContext, now: number = Date.now()): ResponseConversion {
  const error = geminiErrorToOpenAI(body);
  if (error || typeof body !== 'object' || body === null) throw new Error(`Gemini reply is not a response: ${error?.error.message ?? 'unexpected body'}`);
  const res = body as GeminiResponse;
  const candidates = Array.isArray(res.candidates) ? res.candidates : [];
  if (candidates.length === 0 && !res.promptFeedback?.blockReason) throw new Error('Gemini returned no candidates');
  const choices = candidates.length
    ? candidates.map((c, i) => {
        const { text, reasoning, calls } = readParts(c.content?.parts);
        const message: Record<string, unknown> = { role: 'assistant', content: text === '' && calls.length ? null : text };
        if (reasoning !== '') message.reasoning_content = reasoning;
        if (calls.length) {
          message.tool_calls = calls.map((call) => ({ id: toolCallId(), type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }));
        }
        return { index: num(c.index) ?? i, message, logprobs: null, finish_reason: candidateFinish(c, calls.length > 0) ?? 'stop' };
      })
    : // The prompt itself was blocked (promptFeedback.blockReason): no candidate, nothing generated.
      [{ index: 0, message: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'content_filter' }];
  const usage = geminiUsage(res.usageMetadata);
  return {
    body: {
      id: res.responseId ? `chatcmpl-${res.responseId}` : completionId(),
      object: 'chat.completion',
      created: Math.floor(now / 1000),
      model: ctx.requestModel,
      choices,
      usage: usage ?? usageOf(0, 0),
    },
    usage,
  };
}
