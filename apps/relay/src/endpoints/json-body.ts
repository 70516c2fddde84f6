import { isUtf8 } from 'node:buffer';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

/**
 * Deepest nesting of objects and arrays a request body may have. OpenAI bodies reach ~8 levels
 * (body → messages → message → content → part → image_url) plus the JSON Schemas of `tools`,
 * two levels per schema level; 64 leaves room for any real schema while keeping every later
 * walk (token counting, JSON.stringify of tools, adapters) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** `application/json` or `application/<anything>+json`, parameters (charset) allowed. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w!#$&^.-]+\+)?json\s*(?:;|$)/i;

function invalid(message: string, param: string | null = null): never {
  throw new RelayException(RelayErrorCode.InvalidRequest, message, param);
}

/** 415 unless the content type says JSON (the relay never guesses a body's format). */
export function assertJsonContentType(contentType: string): void {
  if (JSON_MEDIA_TYPE.test(contentType)) return;
  const what = contentType === '' ? 'a request body without a content type' : `content type ${JSON.stringify(contentType.slice(0, 100))}`;
  throw new RelayException(
    RelayErrorCode.UnsupportedMediaType,
    `this endpoint does not accept ${what}: send the body as JSON with the header Content-Type: application/json`,
  );
}

/** What one pass over a JSON text found: the deepest nesting, and the top level's key count. */
export interface JsonShape {
  /** True when nesting went past the limit (the scan stopped there). */
  tooDeep: boolean;
  /** Members of the top-level object as written (duplicates included). */
  topLevelKeys: number;
}

/**
 * One charCode pass over a JSON text: tracks nesting depth and counts the top-level members
 * (commas at depth 1, + 1 when the object is not empty), without recursion and without looking
 * inside strings (each string is skipped with indexOf to its closing quote). Meant to run before
 * JSON.parse, so a 100,000-deep body is refused in microseconds rather than parsed. On text that
 * is not JSON the figures are meaningless; JSON.parse says what is wrong with it.
 */
export function scanJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonShape {
  let depth = 0;
  let commas = 0;
  let members = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // A quote preceded by an odd number of backslashes is escaped.
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) break;
      if (depth === 1) members = 1;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return { tooDeep: true, topLevelKeys: 0 };
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      commas++;
    }
  }
  return { tooDeep: false, topLevelKeys: members === 0 ? 0 : commas + 1 };
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let j = quote - 1; j >= 0 && text.charCodeAt(j) === 0x5c; j--) backslashes++;
  return (backslashes & 1) === 1;
}

/**
 * The first top-level key written twice in a JSON object text (escapes decoded), or null. Only
 * called once {@link scanJson} has counted more members than JSON.parse kept.
 */
export function duplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return null;
      if (depth === 1 && expectKey) {
        const raw = text.slice(i, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth === 1) expectKey = true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

/**
 * A JSON request body's top-level object, from its text. 400 when the text is empty, not JSON,
 * not an object, nested deeper than {@link MAX_JSON_DEPTH}, or names a top-level key twice (the
 * relay would bill one `model` while the upstream may use the other).
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.length === 0) invalid('request body is empty: expected a JSON object');
  const shape = scanJson(text);
  if (shape.tooDeep) invalid(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    invalid(`request body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) invalid('request body must be a JSON object');
  const json = parsed as Record<string, unknown>;
  // JSON.parse keeps the last of duplicate keys silently; fewer keys than members means one repeats.
  if (shape.topLevelKeys !== countKeys(json)) {
    const key = duplicateTopLevelKey(text);
    invalid(`request body names the key ${JSON.stringify(key ?? '?')} more than once`, key);
  }
  return json;
}

function countKeys(json: Record<string, unknown>): number {
  let n = 0;
  for (const _ in json) n++;
  return n;
}

/** A JSON request body: its text (for byte-level rewrites) and its top-level object. */
export interface JsonBody {
  text: string;
  json: Record<string, unknown>;
}

/**
 * Decodes a JSON request body: 400 when it is empty; 415 unless sent as JSON; 400 when it is not
 * UTF-8 (RFC 8259 §8.1; the relay forwards the client's bytes, so it must count what the upstream
 * will read), not JSON, not an object, too deeply nested or with a duplicated top-level key.
 */
export function decodeJsonBody(buf: Buffer | undefined, contentType: string): JsonBody {
  // Nothing sent at all: say that, whatever the content type (often none then).
  if (buf === undefined || buf.length === 0) return { text: '', json: parseJsonObject('') };
  assertJsonContentType(contentType);
  if (!isUtf8(buf)) invalid('request body is not valid UTF-8');
  const text = buf.toString('utf8');
  return { text, json: parseJsonObject(text) };
}

/** The top-level object of a JSON request body, checked as {@link decodeJsonBody} does. */
export function readJsonBody(buf: Buffer | undefined, contentType: string): Record<string, unknown> {
  return decodeJsonBody(buf, contentType).json;
}
