/**
 * Token counting as One API does it (relay/adaptor/openai/token.go), on gpt-tokenizer's
 * o200k_base / cl100k_base encodings, with bounded work per call.
 *
 * Why bounded: gpt-tokenizer's BPE is super-linear in the length of one pre-token (a run of
 * letters without spaces, e.g. 1 MB of "a" or a CJK paragraph) and slow on large uncached text
 * (tens of ms per 16 KiB on this machine). The relay counts prompts on its event loop, so:
 *
 * 1. runs of more than {@link MAX_RUN_CHARS} non-space characters are counted in slices of that
 *    size (error: at most +1 token per slice boundary, ≈ 1–2 % on such runs, 0 on most text);
 * 2. each call has an exact-counting budget of {@link EXACT_BUDGET_CHARS} characters shared by
 *    all texts it counts; a text that does not fit is estimated from {@link SAMPLE_WINDOWS}
 *    evenly spaced windows of {@link SAMPLE_WINDOW_CHARS} characters (tokens per character of the
 *    windows × length; typically within ±5 % on natural text and exact on uniform text, but a
 *    text built to differ where it is not sampled can be off by more);
 * 3. once even the sampling budget is spent, {@link approximateTokens} (no BPE at all).
 *
 * Upstream-reported usage always wins for billing; these counts reserve quota and bill streams
 * whose upstream sent no usage.
 *
 * Loading an encoding parses 1–2.5 MB of ranks (seconds on a busy 2-core box): services should
 * call {@link preloadTokenizer} at boot so no request pays for it.
 */
/** The two encodings we count with. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Longest run of non-whitespace characters handed to BPE in one piece. */
export const MAX_RUN_CHARS = 64;
/** Characters counted exactly per call before falling back to sampling. */
export const EXACT_BUDGET_CHARS = 8192;
/** Sampling: number of windows and their size, per sampled text. */
export const SAMPLE_WINDOWS = 8;
export const SAMPLE_WINDOW_CHARS = 256;

/**
 * The slice of gpt-tokenizer's encoding module we use. Declared here rather than imported so the
 * console's type-check (moduleResolution "bundler", which cannot see the package's require-only
 * `cjs/*` export) does not need to resolve gpt-tokenizer.
 */
interface Encoder {
  countTokens(input: string, options?: { disallowedSpecial?: Set<string> }): number;
}

const encoders = new Map<EncodingName, Encoder>();

// Special tokens such as <|endoftext|> are plain text in user content; gpt-tokenizer throws on
// them by default, and an empty disallow-set makes it encode them as ordinary characters.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * `module.require` rather than `require`/`import` so bundlers (the Next.js console imports this
 * library for enums and option metadata) do not pull megabytes of BPE ranks into a browser bundle.
 * Only Node services count tokens.
 */
function loadEncoder(name: EncodingName): Encoder {
  let enc = encoders.get(name);
  if (!enc) {
    if (typeof module === 'undefined' || typeof module.require !== 'function') {
      throw new Error('token counting needs Node.js (CommonJS); it is not available in the browser');
    }
    enc = module.require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoder;
    encoders.set(name, enc);
  }
  return enc;
}

/** Load the encodings now (boot time) instead of on the first request that counts tokens. */
export function preloadTokenizer(names: readonly EncodingName[] = ['o200k_base', 'cl100k_base']): void {
  for (const name of names) loadEncoder(name).countTokens('warm up', PLAIN_TEXT);
}

/**
 * The encoding OpenAI uses for a model: o200k_base for gpt-4o*, chatgpt-4o*, gpt-4.1*, gpt-4.5*,
 * gpt-5*, o1*, o3*, o4*; cl100k_base for everything else (gpt-3.5, gpt-4, embeddings and
 * non-OpenAI models, as One API does).
 */
export function encodingForModel(model: string): EncodingName {
  const m = typeof model === 'string' ? model.toLowerCase() : '';
  if (
    m.startsWith('gpt-4o') ||
    m.startsWith('chatgpt-4o') ||
    m.startsWith('gpt-4.1') ||
    m.startsWith('gpt-4.5') ||
    m.startsWith('gpt-5') ||
    /^o[134](?:$|-)/.test(m)
  ) {
    return 'o200k_base';
  }
  return 'cl100k_base';
}

/**
 * Cheap estimate without BPE: ¼ token per ASCII character, 1 per other code point (CJK, emoji,
 * accented letters), rounded up. Against real counts: English prose and code within ≈ ±30 %,
 * CJK over-estimates by up to ≈ 40 % (o200k), long runs of one character over-estimate ≈ 2×.
 * Never 0 for a non-empty text. Used when `ApproximateTokenEnabled` is on and past the budget.
 */
export function approximateTokens(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) ascii++;
    else if (c >= 0xdc00 && c <= 0xdfff) continue; // low surrogate: counted with its high half
    else other++;
  }
  return Math.max(1, Math.ceil(ascii / 4 + other));
}

/** Options shared by the counting functions. */
export interface TokenCountOptions {
  /** `ApproximateTokenEnabled`: use {@link approximateTokens} instead of BPE. */
  approximate?: boolean;
  /**
   * Size of an image referenced by URL, if the caller knows it (we never fetch). data: URLs of
   * PNG, GIF, JPEG and WebP images are sized locally.
   */
  imageSize?: (url: string) => { width: number; height: number } | undefined;
}

/** Per-call work budget (characters of BPE input), shared by every text of one call. */
class Budget {
  constructor(public remaining: number) {}
}

const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARS + 1},}`);
const LONG_RUN_G = new RegExp(`\\S{${MAX_RUN_CHARS + 1},}`, 'g');

/** Exact count, except long non-space runs are counted in MAX_RUN_CHARS slices. */
function bpeCount(enc: Encoder, text: string): number {
  if (text.length === 0) return 0;
  if (!LONG_RUN.test(text)) return enc.countTokens(text, PLAIN_TEXT);
  let total = 0;
  let last = 0;
  for (const m of text.matchAll(LONG_RUN_G)) {
    const at = m.index ?? 0;
    if (at > last) total += enc.countTokens(text.slice(last, at), PLAIN_TEXT);
    const run = m[0];
    for (let i = 0; i < run.length; i += MAX_RUN_CHARS) total += enc.countTokens(run.slice(i, i + MAX_RUN_CHARS), PLAIN_TEXT);
    last = at + run.length;
  }
  if (last < text.length) total += enc.countTokens(text.slice(last), PLAIN_TEXT);
  return total;
}

function sampledCount(enc: Encoder, text: string): number {
  const span = text.length - SAMPLE_WINDOW_CHARS;
  let tokens = 0;
  let chars = 0;
  for (let i = 0; i < SAMPLE_WINDOWS; i++) {
    const start = Math.floor((span * i) / (SAMPLE_WINDOWS - 1));
    const window = text.slice(start, start + SAMPLE_WINDOW_CHARS);
    tokens += bpeCount(enc, window);
    chars += window.length;
  }
  return Math.max(1, Math.round((tokens / chars) * text.length));
}

const SAMPLE_COST = SAMPLE_WINDOWS * SAMPLE_WINDOW_CHARS;

function countWithBudget(enc: Encoder, text: string, budget: Budget, opts: TokenCountOptions | undefined): number {
  if (text.length === 0) return 0;
  if (opts?.approximate) return approximateTokens(text);
  if (text.length <= budget.remaining) {
    budget.remaining -= text.length;
    return bpeCount(enc, text);
  }
  if (text.length > SAMPLE_COST && budget.remaining >= SAMPLE_COST) {
    budget.remaining -= SAMPLE_COST;
    return sampledCount(enc, text);
  }
  return approximateTokens(text);
}

/**
 * Tokens of a text for a model (no per-message overhead). See the module doc for the bounds.
 * Like every counter here it is total: a value that is not a string counts 0, never throws.
 */
export function countTextTokens(model: string, text: string, opts?: TokenCountOptions): number {
  if (typeof text !== 'string' || text === '') return 0;
  if (opts?.approximate) return approximateTokens(text);
  return countWithBudget(loadEncoder(encodingForModel(model)), text, new Budget(EXACT_BUDGET_CHARS), opts);
}

/**
 * Tokens of an embeddings/moderations `input`: a string, strings (summed), token ids (their
 * number) or arrays of token ids (summed). Anything else (objects, parts) counts 0.
 */
export function countInputTokens(
  model: string,
  input: string | readonly string[] | readonly number[] | readonly (readonly number[])[] | null | undefined,
  opts?: TokenCountOptions,
): number {
  if (typeof input === 'string') return countTextTokens(model, input, opts);
  if (!Array.isArray(input)) return 0;
  const enc = opts?.approximate ? undefined : loadEncoder(encodingForModel(model));
  const budget = new Budget(EXACT_BUDGET_CHARS);
  let total = 0;
  for (const item of input) {
    if (typeof item === 'number') total += 1;
    else if (typeof item === 'string') total += enc ? countWithBudget(enc, item, budget, opts) : approximateTokens(item);
    else if (Array.isArray(item)) total += item.length;
  }
  return total;
}

// ---------------------------------------------------------------- images

const LOW_DETAIL_TOKENS = 85;
const TILE_TOKENS = 170;
const BASE_TOKENS = 85;
/** Assumed size of an image we cannot size (a URL we do not fetch): a common 1024×1024. */
export const UNKNOWN_IMAGE_SIZE = Object.freeze({ width: 1024, height: 1024 });

/**
 * Tokens of one image input, One API's rules (OpenAI vision pricing): `low` → 85; `high`, `auto`
 * or none → fit within 2048×2048, then shortest side to 768 when both sides exceed 768, then
 * 170 per 512 px tile + 85. One API treats `auto` as `high` (its own tests showed small images
 * billed as high). Unknown size → {@link UNKNOWN_IMAGE_SIZE} (765 tokens at high detail).
 */
export function getImageTokens(detail: string | undefined, width?: number, height?: number): number {
  const d = detail ?? '';
  if (d === 'low') return LOW_DETAIL_TOKENS;
  let w = width && width > 0 ? width : UNKNOWN_IMAGE_SIZE.width;
  let h = height && height > 0 ? height : UNKNOWN_IMAGE_SIZE.height;
  if (w > 2048 || h > 2048) {
    const r = 2048 / Math.max(w, h);
    w = Math.trunc(w * r);
    h = Math.trunc(h * r);
  }
  if (w > 768 && h > 768) {
    const r = 768 / Math.min(w, h);
    w = Math.trunc(w * r);
    h = Math.trunc(h * r);
  }
  return Math.ceil(w / 512) * Math.ceil(h / 512) * TILE_TOKENS + BASE_TOKENS;
}

/** Bytes of a data: URL's head (enough for PNG/GIF/WebP headers and most JPEG SOF markers). */
const DATA_URL_HEAD_BYTES = 64 * 1024;

/**
 * Width and height of a `data:image/...;base64,` URL, read from the image header (PNG, GIF,
 * JPEG, WebP); undefined for other URLs or unreadable data. Decodes at most 64 KiB.
 */
export function imageSizeFromDataUrl(url: string): { width: number; height: number } | undefined {
  if (typeof url !== 'string' || !url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) return undefined;
  const b64 = url.slice(comma + 1, comma + 1 + Math.ceil(DATA_URL_HEAD_BYTES / 3) * 4).replace(/[^A-Za-z0-9+/]/g, '');
  let bin: string;
  try {
    bin = atob(b64.slice(0, b64.length - (b64.length % 4)));
  } catch {
    return undefined;
  }
  const b = (i: number): number => bin.charCodeAt(i);
  const be16 = (i: number): number => (b(i) << 8) | b(i + 1);
  const le16 = (i: number): number => b(i) | (b(i + 1) << 8);
  const be32 = (i: number): number => ((b(i) << 24) >>> 0) + (b(i + 1) << 16) + (b(i + 2) << 8) + b(i + 3);
  const ok = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : undefined);
  if (bin.length >= 24 && bin.startsWith('\x89PNG')) return ok(be32(16), be32(20));
  if (bin.length >= 10 && bin.startsWith('GIF8')) return ok(le16(6), le16(8));
  if (bin.length >= 30 && bin.startsWith('RIFF') && bin.slice(8, 12) === 'WEBP') {
    const chunk = bin.slice(12, 16);
    if (chunk === 'VP8 ') return ok(le16(26) & 0x3fff, le16(28) & 0x3fff);
    if (chunk === 'VP8L') {
      const bits = b(21) | (b(22) << 8) | (b(23) << 16) | (b(24) << 24);
      return ok((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    if (chunk === 'VP8X') return ok((b(24) | (b(25) << 8) | (b(26) << 16)) + 1, (b(27) | (b(28) << 8) | (b(29) << 16)) + 1);
    return undefined;
  }
  if (bin.length >= 4 && b(0) === 0xff && b(1) === 0xd8) {
    let i = 2;
    while (i + 9 < bin.length) {
      if (b(i) !== 0xff) return undefined;
      const marker = b(i + 1);
      if (marker === 0xff) {
        i++;
        continue;
      }
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return ok(be16(i + 7), be16(i + 5));
      }
      i += 2 + be16(i + 2);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- chat messages

/** A content part of a chat message (OpenAI shape); unknown part types are ignored. */
export interface ChatContentPart {
  type?: string;
  text?: string;
  image_url?: string | { url?: string; detail?: string };
  [key: string]: unknown;
}

/** The fields of a chat message that cost prompt tokens. */
export interface ChatMessageLike {
  role?: string;
  content?: string | readonly ChatContentPart[] | null;
  name?: string | null;
  tool_calls?: ReadonlyArray<{ function?: { name?: string; arguments?: string } }> | null;
  function_call?: { name?: string; arguments?: string } | null;
  [key: string]: unknown;
}

/** Extra request fields counted with the messages: tool/function definitions, as JSON text. */
export interface ChatCountOptions extends TokenCountOptions {
  tools?: unknown;
  functions?: unknown;
}

function imageTokensOfPart(part: ChatContentPart, opts: TokenCountOptions | undefined): number {
  const ref: unknown = part.image_url;
  const obj = isRecord(ref) ? ref : undefined;
  const url = typeof ref === 'string' ? ref : typeof obj?.url === 'string' ? obj.url : '';
  const detail = typeof obj?.detail === 'string' ? obj.detail : undefined;
  if (detail === 'low') return LOW_DETAIL_TOKENS;
  const size = imageSizeFromDataUrl(url) ?? opts?.imageSize?.(url);
  return getImageTokens(detail, size?.width, size?.height);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** JSON text of a definition list, or '' when it cannot be serialised (too deep for the stack). */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/**
 * Prompt tokens of a chat request, One API's formula: per message 3 tokens + role + content +
 * (1 + name tokens when named); gpt-3.5-turbo-0301 uses 4 per message and −1 per name; + 3 for
 * the assistant reply priming. Content may be a string or parts (text counted as text,
 * image_url by {@link getImageTokens}); assistant tool_calls/function_call (name + arguments)
 * and `tools`/`functions` definitions (JSON) count as text. Total: fields of the wrong type
 * count 0 (a message that is not an object only its overhead), so it never throws on any JSON.
 */
export function countMessagesTokens(model: string, messages: readonly ChatMessageLike[], opts?: ChatCountOptions): number {
  const enc = opts?.approximate ? undefined : loadEncoder(encodingForModel(model));
  const budget = new Budget(EXACT_BUDGET_CHARS);
  const text = (s: unknown): number => {
    if (typeof s !== 'string' || s === '') return 0;
    return enc ? countWithBudget(enc, s, budget, opts) : approximateTokens(s);
  };
  const legacy = model === 'gpt-3.5-turbo-0301';
  const perMessage = legacy ? 4 : 3;
  const perName = legacy ? -1 : 1;
  let total = 0;
  for (const message of Array.isArray(messages) ? messages : []) {
    total += perMessage;
    if (!isRecord(message)) continue;
    const content = message.content;
    if (typeof content === 'string') {
      total += text(content);
    } else if (Array.isArray(content)) {
      for (const part of content as readonly ChatContentPart[]) {
        if (!part || typeof part !== 'object') continue;
        if (part.type === 'image_url') total += imageTokensOfPart(part, opts);
        else if (typeof part.text === 'string') total += text(part.text);
      }
    }
    total += text(message.role);
    if (typeof message.name === 'string') total += perName + text(message.name);
    const calls: unknown = message.tool_calls;
    if (Array.isArray(calls)) {
      for (const call of calls as unknown[]) {
        const fn = isRecord(call) ? call.function : undefined;
        if (isRecord(fn)) total += text(fn.name) + text(fn.arguments);
      }
    }
    const legacyCall: unknown = message.function_call;
    if (isRecord(legacyCall)) total += text(legacyCall.name) + text(legacyCall.arguments);
  }
  total += 3;
  if (opts?.tools !== undefined && opts.tools !== null) total += text(jsonText(opts.tools));
  if (opts?.functions !== undefined && opts.functions !== null) total += text(jsonText(opts.functions));
  return total;
}
