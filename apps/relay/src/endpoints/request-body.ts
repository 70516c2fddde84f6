import type { RelayMode } from '@oneapi/providers';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { decodeJsonBody } from './json-body';
import {
  checkAudioFields,
  checkChatBody,
  checkCompletionsBody,
  checkEditsBody,
  checkEmbeddingsBody,
  checkImagesBody,
  checkModerationsBody,
  checkSpeechBody,
} from './request-checks';
import { checkResponsesBody } from './responses-checks';

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

const DEFAULT_MODEL: Partial<Record<RelayMode, string>> = {
  moderations: 'text-moderation-latest',
  images: 'dall-e-2',
  'audio.transcriptions': 'whisper-1',
  'audio.translations': 'whisper-1',
  edits: 'text-davinci-edit-001',
};

/** Endpoints that parse their own bodies (rerank.ts, images-edits.ts, messages.ts). */
export type MultipartOrOwnParser = 'rerank' | 'images.edits' | 'images.variations' | 'messages' | 'messages.count_tokens';

/** Each JSON endpoint's structural check (request-checks.ts). */
const BODY_CHECKS: Record<Exclude<RelayMode, 'audio.transcriptions' | 'audio.translations' | MultipartOrOwnParser>, (json: Record<string, unknown>) => void> = {
  chat: checkChatBody,
  completions: checkCompletionsBody,
  embeddings: checkEmbeddingsBody,
  moderations: checkModerationsBody,
  images: checkImagesBody,
  'audio.speech': checkSpeechBody,
  edits: checkEditsBody,
  responses: checkResponsesBody,
};

function bad(message: string, param: string | null = null): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, message, param);
}

/** A file part of a multipart/form-data body: its field name and size (its bytes are never copied). */
export interface MultipartFile {
  name: string;
  filename: string;
  bytes: number;
}

/** The text fields and the file parts of a multipart/form-data body. */
export function multipartForm(body: Buffer, contentType: string): { fields: Record<string, string>; files: MultipartFile[] } {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) bad('multipart body without boundary');
  const boundary = `--${m[1] ?? m[2]}`;
  const fields: Record<string, string> = {};
  const files: MultipartFile[] = [];
  const text = body.toString('latin1');
  for (const part of text.split(boundary)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (!name) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (filename !== undefined || /filename\*?=/i.test(headers)) files.push({ name, filename: filename ?? '', bytes: value.length });
    else fields[name] = Buffer.from(value, 'latin1').toString('utf8');
  }
  return { fields, files };
}

/** The text fields of a multipart/form-data body (files skipped); enough to route audio requests. */
export function multipartFields(body: Buffer, contentType: string): Record<string, string> {
  return multipartForm(body, contentType).fields;
}

/**
 * Parses and validates a request body before any quota or upstream work: a body not sent as
 * JSON is a 415; malformed, duplicated-key or too deeply nested JSON, wrong field types, a
 * missing model/messages/input and absurd max_tokens are 400s naming the field.
 */
export function parseRequest(mode: Exclude<RelayMode, MultipartOrOwnParser>, body: Buffer | undefined, contentType: string, pathModel?: string): ParsedRequest {
  if (mode === 'audio.transcriptions' || mode === 'audio.translations') {
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      throw new RelayException(RelayErrorCode.UnsupportedMediaType, 'this endpoint expects multipart/form-data (a file upload)');
    }
    const fields = multipartFields(body ?? Buffer.alloc(0), contentType);
    checkAudioFields(fields);
    const model = fields.model || DEFAULT_MODEL[mode] || '';
    return { mode, json: fields, text: '', model, stream: false, maxTokens: null, includeUsage: false, multipart: true, contentType };
  }
  const { text, json } = decodeJsonBody(body, contentType);

  let model = json.model;
  if (model === undefined || model === null || model === '') model = pathModel ?? DEFAULT_MODEL[mode];
  if (typeof model !== 'string' || model === '') bad('you must provide a model parameter', 'model');

  BODY_CHECKS[mode](json);

  const stream = json.stream === true && (mode === 'chat' || mode === 'completions' || mode === 'responses');
  // The Responses API names its cap max_output_tokens (the only one its body check reads).
  const maxTokens = (mode === 'responses' ? (json.max_output_tokens ?? null) : (json.max_tokens ?? json.max_completion_tokens ?? null)) as number | null;
  const so = json.stream_options as { include_usage?: unknown } | undefined | null;
  const includeUsage = stream && typeof so === 'object' && so !== null && so.include_usage === true;
  return { mode, json, text, model, stream, maxTokens, includeUsage, multipart: false };
}
