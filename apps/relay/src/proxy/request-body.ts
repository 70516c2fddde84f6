import type { RelayMode } from '@oneapi/providers';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

/** The facts of a client request body the relay needs (the body itself is forwarded as bytes). */
export interface ParsedRequest {
  mode: RelayMode;
  /** Parsed JSON object; for multipart, the text fields. */
  json: Record<string, unknown>;
  /** The body's text (JSON requests), for byte-level rewrites. */
  text: string;
  model: string;
  stream: boolean;
  /** max_tokens / max_completion_tokens when given. */
  maxTokens: number | null;
  /** The client asked for the usage-only final chunk. */
  includeUsage: boolean;
  multipart: boolean;
  /** The request's content type (multipart bodies are rewritten against its boundary). */
  contentType?: string;
}

/** Beyond this, `max_tokens` is a mistake rather than a request (no model generates 1M tokens). */
const MAX_TOKENS_CAP = 1_000_000;

const DEFAULT_MODEL: Partial<Record<RelayMode, string>> = {
  moderations: 'text-moderation-latest',
  images: 'dall-e-2',
  'audio.transcriptions': 'whisper-1',
  'audio.translations': 'whisper-1',
  edits: 'text-davinci-edit-001',
};

function bad(message: string, param: string | null = null): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, message, param);
}

function nonNegativeInt(json: Record<string, unknown>, field: string): number | null {
  const v = json[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`${field} must be a non-negative integer`, field);
  if (v > MAX_TOKENS_CAP) bad(`${field} must be at most ${MAX_TOKENS_CAP}`, field);
  return v;
}

/** The text fields of a multipart/form-data body (files skipped); enough to route audio requests. */
export function multipartFields(body: Buffer, contentType: string): Record<string, string> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) bad('multipart body without boundary');
  const boundary = `--${m[1] ?? m[2]}`;
  const fields: Record<string, string> = {};
  const text = body.toString('latin1');
  for (const part of text.split(boundary)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (!name || /filename=/i.test(headers)) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    fields[name] = Buffer.from(value, 'latin1').toString('utf8');
  }
  return fields;
}

/**
 * Sets a text field of a multipart/form-data body at the byte level: the value of the first
 * part named `name` (not a file) is replaced, or a new part is added before the closing
 * delimiter when there is none. File parts are copied untouched (no re-encoding, no parse of
 * their bytes). Returns null when the body has no recognisable boundary.
 */
export function setMultipartField(body: Buffer, contentType: string, name: string, value: string): Buffer | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return null;
  const delimiter = Buffer.from(`--${(m[1] ?? m[2]).trim()}`, 'latin1');
  const nameRe = new RegExp(`(?:^|;)\\s*name="${escapeRegExp(name)}"`, 'i');
  let at = body.indexOf(delimiter);
  if (at === -1) return null;
  for (;;) {
    const partStart = at + delimiter.length;
    // `--` right after a delimiter closes the body.
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) {
      const closing = at > 0 && body[at - 2] === 0x0d && body[at - 1] === 0x0a ? at - 2 : at;
      const added = Buffer.from(`\r\n--${delimiter.toString('latin1').slice(2)}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, 'latin1');
      return Buffer.concat([body.subarray(0, closing), added, Buffer.from(value, 'utf8'), body.subarray(closing)]);
    }
    const headerEnd = body.indexOf('\r\n\r\n', partStart, 'latin1');
    if (headerEnd === -1) return null;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delimiter]), headerEnd);
    if (next === -1) return null;
    const headers = body.toString('latin1', partStart, headerEnd);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    if (nameRe.test(disposition) && !/filename\*?=/i.test(disposition)) {
      return Buffer.concat([body.subarray(0, headerEnd + 4), Buffer.from(value, 'utf8'), body.subarray(next)]);
    }
    at = next + 2;
  }
}

/**
 * Parses and validates a request body before any quota or upstream work: malformed JSON, wrong
 * types, missing model/messages and absurd max_tokens are 400s here.
 */
export function parseRequest(mode: RelayMode, body: Buffer | undefined, contentType: string, pathModel?: string): ParsedRequest {
  const multipart = contentType.toLowerCase().startsWith('multipart/form-data');
  if (mode === 'audio.transcriptions' || mode === 'audio.translations') {
    if (!multipart) bad('this endpoint expects multipart/form-data');
    const fields = multipartFields(body ?? Buffer.alloc(0), contentType);
    const model = fields.model || DEFAULT_MODEL[mode] || '';
    return { mode, json: fields, text: '', model, stream: false, maxTokens: null, includeUsage: false, multipart: true, contentType };
  }
  if (!body || body.length === 0) bad('request body is empty: expected a JSON object');
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    bad('request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) bad('request body must be a JSON object');
  const json = parsed as Record<string, unknown>;

  let model = json.model;
  if (model === undefined || model === null || model === '') model = pathModel ?? DEFAULT_MODEL[mode];
  if (typeof model !== 'string' || model === '') bad('you must provide a model parameter', 'model');

  if (json.stream !== undefined && json.stream !== null && typeof json.stream !== 'boolean') bad('stream must be a boolean', 'stream');
  const stream = json.stream === true && (mode === 'chat' || mode === 'completions');
  const maxTokens = nonNegativeInt(json, 'max_tokens') ?? nonNegativeInt(json, 'max_completion_tokens');
  if (json.n !== undefined && json.n !== null && (typeof json.n !== 'number' || !Number.isInteger(json.n) || json.n < 1 || json.n > 128)) {
    bad('n must be an integer between 1 and 128', 'n');
  }

  switch (mode) {
    case 'chat': {
      const messages = json.messages;
      if (!Array.isArray(messages) || messages.length === 0) bad('messages must be a non-empty array', 'messages');
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as Record<string, unknown> | null;
        if (typeof m !== 'object' || m === null || Array.isArray(m)) bad(`messages[${i}] must be an object`, 'messages');
        if (typeof m.role !== 'string' || m.role === '') bad(`messages[${i}].role must be a string`, 'messages');
        const c = m.content;
        if (c !== undefined && c !== null && typeof c !== 'string' && !Array.isArray(c)) bad(`messages[${i}].content must be a string or an array`, 'messages');
      }
      break;
    }
    case 'completions':
      if (json.prompt !== undefined && json.prompt !== null && typeof json.prompt !== 'string' && !Array.isArray(json.prompt)) {
        bad('prompt must be a string or an array', 'prompt');
      }
      break;
    case 'embeddings':
    case 'moderations':
      if (typeof json.input !== 'string' && !Array.isArray(json.input)) bad('input must be a string or an array', 'input');
      break;
    case 'images':
      if (typeof json.prompt !== 'string' || json.prompt === '') bad('prompt must be a non-empty string', 'prompt');
      break;
    case 'audio.speech':
      if (typeof json.input !== 'string' || json.input === '') bad('input must be a non-empty string', 'input');
      break;
    case 'edits':
      if (typeof json.instruction !== 'string') bad('instruction must be a string', 'instruction');
      break;
  }

  const so = json.stream_options as { include_usage?: unknown } | undefined | null;
  const includeUsage = stream && typeof so === 'object' && so !== null && so.include_usage === true;
  return { mode, json, text, model, stream, maxTokens, includeUsage, multipart: false };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The upstream body for an OpenAI-wire channel. Returns the client's bytes untouched when nothing
 * must change; replaces the `model` value in place when that is unambiguous (exactly one
 * `"model": "<value>"` in the text); inserts `stream_options` at the front when usage must be
 * requested; re-serialises only otherwise.
 */
export function upstreamBody(
  req: ParsedRequest,
  original: Buffer,
  upstreamModel: string,
  wantUsage: boolean,
  systemPrompt: string,
  /** The upstream rejects `stream_options` (older Azure api-versions, Mistral): remove the client's. */
  stripStreamOptions = false,
): Buffer | string {
  if (req.multipart) {
    // Audio uploads: only the `model` form field can change; the file part is copied as bytes.
    if (upstreamModel === req.model || req.contentType === undefined) return original;
    return setMultipartField(original, req.contentType, 'model', upstreamModel) ?? original;
  }
  const changeModel = req.json.model !== upstreamModel;
  const so = req.json.stream_options as Record<string, unknown> | undefined | null;
  const addUsage = wantUsage && !req.includeUsage;
  const prependSystem = systemPrompt !== '' && req.mode === 'chat';
  const strip = stripStreamOptions && so !== undefined;

  if (!changeModel && !addUsage && !prependSystem && !strip) return original;

  let text = req.text;
  let rewritten = true;
  if (changeModel) {
    if (typeof req.json.model === 'string') {
      const pattern = new RegExp(`"model"\\s*:\\s*${escapeRegExp(JSON.stringify(req.json.model))}`, 'g');
      const matches = text.match(pattern);
      if (matches && matches.length === 1) text = text.replace(pattern, () => `"model":${JSON.stringify(upstreamModel)}`);
      else rewritten = false;
    } else rewritten = false;
  }
  if (rewritten && addUsage && so === undefined) {
    const brace = text.indexOf('{');
    text = `${text.slice(0, brace + 1)}"stream_options":{"include_usage":true},${text.slice(brace + 1)}`;
  } else if (addUsage) rewritten = false;
  if (rewritten && !prependSystem && !strip) return text;

  const copy: Record<string, unknown> = { ...req.json, model: upstreamModel };
  if (strip) delete copy.stream_options;
  if (addUsage) copy.stream_options = { ...(so && typeof so === 'object' ? so : {}), include_usage: true };
  if (prependSystem) copy.messages = [{ role: 'system', content: systemPrompt }, ...(req.json.messages as unknown[])];
  return JSON.stringify(copy);
}
