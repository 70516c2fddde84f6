import { UnsupportedParameterError } from '../errors';
import { parseDataUrl, type OpenAIContentPart } from './openai-chat.types';

/** Inline bytes of a content part: MIME type and base64 data. */
export interface InlineMedia {
  mimeType: string;
  data: string;
}

/** OpenAI's `input_audio.format` → MIME type. */
const AUDIO_MIME: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  aiff: 'audio/aiff',
  pcm16: 'audio/l16',
  webm: 'audio/webm',
};

/**
 * A `file` part's inline bytes (`{type:'file', file:{file_data:'data:application/pdf;base64,...'}}`);
 * throws `UnsupportedParameterError` naming the part for an uploaded-file id (only OpenAI can
 * resolve it) or data that is not a base64 data URL. Undefined for parts of other types.
 */
export function fileOf(part: OpenAIContentPart, param: string): InlineMedia | undefined {
  if (part.type !== 'file') return undefined;
  const file = (part as { file?: { file_data?: unknown; file_id?: unknown; filename?: unknown } }).file;
  if (typeof file?.file_data === 'string') {
    const data = parseDataUrl(file.file_data);
    if (data) return data;
    throw new UnsupportedParameterError(param, `${param}: file_data must be a base64 data URL (data:application/pdf;base64,...)`);
  }
  if (typeof file?.file_id === 'string') throw new UnsupportedParameterError(param, `${param}: uploaded file ids exist only at OpenAI; send the file inline as file_data`);
  throw new UnsupportedParameterError(param, `${param}: a file part needs file_data`);
}

/** An `input_audio` part's bytes (`{type:'input_audio', input_audio:{data, format}}`); undefined for other parts. */
export function audioOf(part: OpenAIContentPart, param: string): InlineMedia | undefined {
  if (part.type !== 'input_audio') return undefined;
  const a = (part as { input_audio?: { data?: unknown; format?: unknown } }).input_audio;
  if (typeof a?.data !== 'string' || a.data === '') throw new UnsupportedParameterError(param, `${param}: input_audio needs base64 data`);
  const format = typeof a.format === 'string' ? a.format.toLowerCase() : '';
  const mimeType = AUDIO_MIME[format];
  if (!mimeType) throw new UnsupportedParameterError(param, `${param}: unsupported input_audio format "${format}"`);
  return { mimeType, data: a.data };
}

/**
 * Thinking budgets (tokens) for OpenAI's `reasoning_effort` on providers that take a budget
 * (Anthropic `thinking.budget_tokens`, Gemini `thinkingConfig.thinkingBudget`): low 1,024 (the
 * smallest budget Anthropic accepts), medium 4,096, high 16,384. `minimal` and `none` ask for no
 * thinking (0). Undefined when the field is absent; throws naming `reasoning_effort` for other values.
 */
export function reasoningBudget(effort: unknown): number | undefined {
  if (effort === undefined || effort === null) return undefined;
  switch (effort) {
    case 'none':
    case 'minimal':
      return 0;
    case 'low':
      return 1024;
    case 'medium':
      return 4096;
    case 'high':
      return 16384;
    default:
      throw new UnsupportedParameterError('reasoning_effort', `reasoning_effort must be one of none, minimal, low, medium, high`);
  }
}

/** `response_format` of a chat request, read loosely: its type and, for json_schema, the schema and name. */
export function responseFormatOf(v: unknown): { type: 'text' | 'json_object' } | { type: 'json_schema'; name: string; description?: string; schema: Record<string, unknown> } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const f = v as { type?: unknown; json_schema?: { name?: unknown; description?: unknown; schema?: unknown } };
  if (f.type === 'text' || f.type === 'json_object') return { type: f.type };
  if (f.type === 'json_schema') {
    const js = f.json_schema;
    const schema = typeof js?.schema === 'object' && js.schema !== null ? (js.schema as Record<string, unknown>) : { type: 'object' };
    return { type: 'json_schema', name: typeof js?.name === 'string' && js.name !== '' ? js.name : 'response', ...(typeof js?.description === 'string' ? { description: js.description } : {}), schema };
  }
  throw new UnsupportedParameterError('response_format', `response_format.type must be text, json_object or json_schema`);
}

/** Refuses tools other than functions (code interpreter, web search...): no native conversion can carry them. */
export function checkFunctionTools(tools: unknown): void {
  if (!Array.isArray(tools)) return;
  tools.forEach((t, i) => {
    const type = typeof t === 'object' && t !== null ? (t as { type?: unknown }).type : undefined;
    if (type !== 'function') throw new UnsupportedParameterError(`tools[${i}]`, `tools[${i}]: only function tools can be relayed to this provider`);
  });
}

/**
 * Refuses sampling parameters the provider has no equivalent for, when set to something other
 * than their no-op default (0, or an empty map): `names` of the numeric ones, plus `logit_bias`.
 */
export function checkNoOpOnly(body: Record<string, unknown>, names: readonly string[], provider: string): void {
  for (const name of names) {
    const v = body[name];
    if (v !== undefined && v !== null && v !== 0) throw new UnsupportedParameterError(name, `${name}: ${provider} has no equivalent; leave it out or send 0`);
  }
  const bias = body.logit_bias;
  if (typeof bias === 'object' && bias !== null && Object.keys(bias).length > 0) throw new UnsupportedParameterError('logit_bias', `logit_bias: ${provider} has no equivalent`);
}
