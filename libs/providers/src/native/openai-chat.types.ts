/**
 * The parts of OpenAI's chat-completions request that native adapters (Anthropic, Gemini) read,
 * and small helpers shared by their conversions. Bodies arrive as parsed JSON validated only
 * loosely by the relay, so every reader here tolerates missing or mistyped fields.
 * https://platform.openai.com/docs/api-reference/chat/create
 */

export interface OpenAITextPart {
  type: 'text';
  text: string;
}

export interface OpenAIImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string } | string;
}

export type OpenAIContentPart = OpenAITextPart | OpenAIImagePart | { type: string; [k: string]: unknown };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
}

export interface OpenAIFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

/** The chat request fields the native conversions use. */
export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIChatMessage[];
  stream?: boolean;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** Not OpenAI's, but One API forwards it to the providers that have it. */
  top_k?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  tools?: OpenAIFunctionTool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: { type: string };
  user?: string;
}

/** The body as a chat request (arrays and strings checked; unknown fields ignored). */
export function asChatRequest(body: Record<string, unknown>): OpenAIChatRequest {
  return {
    ...(body as Partial<OpenAIChatRequest>),
    model: typeof body.model === 'string' ? body.model : '',
    messages: Array.isArray(body.messages) ? (body.messages as OpenAIChatMessage[]).filter((m) => typeof m === 'object' && m !== null) : [],
  };
}

/** A finite number, or undefined (null, strings and NaN are dropped). */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `stop` as a list: OpenAI takes a string or up to 4 strings. */
export function stopList(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return stop === '' ? undefined : [stop];
  if (Array.isArray(stop)) {
    const list = stop.filter((s): s is string => typeof s === 'string' && s !== '');
    return list.length ? list : undefined;
  }
  return undefined;
}

/** The plain text of a message's content (text parts joined; images ignored). */
export function textOf(content: OpenAIChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p): p is OpenAITextPart => p.type === 'text' && typeof (p as OpenAITextPart).text === 'string')
    .map((p) => p.text)
    .join('\n');
}

/** Content as a list of parts (a string becomes one text part). */
export function partsOf(content: OpenAIChatMessage['content']): OpenAIContentPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter((p) => typeof p === 'object' && p !== null) : [];
}

/** The URL of an `image_url` part (OpenAI accepts `{url}` and, in older clients, a bare string). */
export function imageUrlOf(part: OpenAIContentPart): string | undefined {
  if (part.type !== 'image_url') return undefined;
  const v = (part as OpenAIImagePart).image_url;
  const url = typeof v === 'string' ? v : v?.url;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/** `data:<mime>;base64,<data>` split into its MIME type and base64 payload; undefined for other URLs. */
export function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const m = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mimeType: m[1] || 'application/octet-stream', data: m[3] };
}

/** A best guess at an image URL's MIME type from its extension (JPEG when unknown). */
export function imageMimeFromUrl(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  switch (ext) {
    case 'png':
      return 'image/png';
    case 'gif':
      return 'image/gif';
    case 'webp':
      return 'image/webp';
    case 'heic':
      return 'image/heic';
    case 'heif':
      return 'image/heif';
    default:
      return 'image/jpeg';
  }
}

/** JSON.parse of tool-call arguments; `{}` for empty or invalid text (providers want an object). */
export function parseToolArguments(args: unknown): Record<string, unknown> {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const v = JSON.parse(args) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return {};
  }
}

/** The function tools of a request (other tool types are not translatable and are dropped). */
export function functionTools(tools: unknown): OpenAIFunctionTool['function'][] {
  if (!Array.isArray(tools)) return [];
  return tools
    .filter((t): t is OpenAIFunctionTool => typeof t === 'object' && t !== null && (t as OpenAIFunctionTool).type === 'function')
    .map((t) => t.function)
    .filter((f) => typeof f?.name === 'string');
}
