import type { RelayMode } from '../adapter.types';
import { applyChannelSystemPrompt } from './system-prompt';

/** The facts of a client request body that decide its upstream bytes (the relay's parsed request fits). */
export interface ClientRequestBody {
  mode: RelayMode;
  /** Parsed JSON object; for multipart, the text fields. */
  json: Record<string, unknown>;
  /** The body's text (JSON requests), for byte-level rewrites; decoded from the bytes when absent. */
  text?: string;
  /** The model the client asked for. */
  model: string;
  multipart: boolean;
  /** The request's content type (multipart bodies are rewritten against its boundary). */
  contentType?: string;
  /** The client asked for the usage-only final chunk. */
  includeUsage: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
 * The upstream body for an OpenAI-wire channel. Returns the client's bytes untouched when nothing
 * must change; replaces the `model` value in place when that is unambiguous (exactly one
 * `"model": "<value>"` in the text); inserts `stream_options` at the front when usage must be
 * requested; re-serialises only otherwise.
 */
export function upstreamBody(
  req: ClientRequestBody,
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
  // From the body itself: the relay may report usage although the client did not ask (ENFORCE_INCLUDE_USAGE).
  const addUsage = wantUsage && !(so && typeof so === 'object' && so.include_usage === true);
  const prependSystem = systemPrompt !== '' && req.mode === 'chat' && Array.isArray(req.json.messages) && req.json.messages.length > 0;
  const strip = stripStreamOptions && so !== undefined;

  if (!changeModel && !addUsage && !prependSystem && !strip) return original;

  let text = req.text ?? original.toString('utf8');
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
  if (prependSystem) copy.messages = applyChannelSystemPrompt(req.json.messages as unknown[], systemPrompt).messages;
  return JSON.stringify(copy);
}
