/** Containers deeper than this are checked by JSON.parse instead (never seen in stream chunks). */
const MAX_DEPTH = 256;
/** Open containers of the value being checked: 1 object, 2 array (module-level: the check is synchronous). */
const stack = new Uint8Array(MAX_DEPTH);

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** End of the string that opens at `i` (the index after its closing quote), or -1. */
function skipString(b: Buffer, i: number, end: number): number {
  for (i++; i < end; i++) {
    const c = b[i];
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = b[++i];
      if (e === 0x75) {
        if (i + 4 >= end || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4])) return -1;
        i += 4;
      } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
    }
  }
  return -1;
}

/** End of the number that starts at `i` (JSON's grammar: no leading zeros, digits after `.` and `e`), or -1. */
function skipNumber(b: Buffer, i: number, end: number): number {
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (i < end && isDigit(b[i])) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    if (++i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    if (++i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  return i;
}

function literal(b: Buffer, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** `checkJson` result bits: 0 = not JSON. */
export const JSON_VALID = 1;
/** A top-level object with a `"usage"` key whose value is not `null`. */
export const JSON_USAGE = 2;
/** A top-level object with an `"error"` key whose value is not `null`. */
export const JSON_ERROR = 4;

/** Whether `b[start, end)` is exactly one JSON text, as `JSON.parse` would accept it. */
export function isJsonText(b: Buffer, start: number, end: number): boolean {
  return checkJson(b, start, end) !== 0;
}

/** The bit a top-level key (its text from the opening quote at `i` to `end`, exclusive) raises. */
function keyBit(b: Buffer, i: number, end: number): number {
  const len = end - i;
  if (len === 7 && b[i + 1] === 0x75 && b[i + 2] === 0x73 && b[i + 3] === 0x61 && b[i + 4] === 0x67 && b[i + 5] === 0x65) return JSON_USAGE;
  if (len === 7 && b[i + 1] === 0x65 && b[i + 2] === 0x72 && b[i + 3] === 0x72 && b[i + 4] === 0x6f && b[i + 5] === 0x72) return JSON_ERROR;
  return 0;
}

/**
 * Checks that `b[start, end)` is exactly one JSON text, as `JSON.parse` would accept it, without
 * building the value, and notes a non-null top-level `usage` or `error`: the stream engine checks
 * every upstream event this way (a malformed one must never reach a client) and parses only the
 * few it must read. OpenAI sends `"usage":null` in every chunk once usage is asked for.
 * Returns 0 (not JSON) or `JSON_VALID` with `JSON_USAGE` / `JSON_ERROR` bits.
 */
export function checkJson(b: Buffer, start: number, end: number): number {
  let flags = JSON_VALID;
  let depth = 0;
  let i = start;
  // After a value; else a value (or, right after `{` / `,` in an object, a key) is expected.
  let afterValue = false;
  let expectKey = false;
  for (;;) {
    while (i < end && isSpace(b[i])) i++;
    if (i >= end) return afterValue && depth === 0 ? flags : 0;
    const c = b[i];
    if (afterValue) {
      if (depth === 0) return 0;
      const top = stack[depth - 1];
      if (c === 0x2c) {
        i++;
        afterValue = false;
        expectKey = top === 1;
      } else if ((c === 0x7d && top === 1) || (c === 0x5d && top === 2)) {
        i++;
        depth--;
      } else return 0;
      continue;
    }
    if (expectKey) {
      if (c !== 0x22) return 0;
      const key = i;
      i = skipString(b, i, end);
      if (i === -1) return 0;
      const keyEnd = i;
      while (i < end && isSpace(b[i])) i++;
      if (b[i] !== 0x3a) return 0;
      i++;
      expectKey = false;
      const bit = depth === 1 ? keyBit(b, key, keyEnd) : 0;
      if (bit !== 0) {
        let v = i;
        while (v < end && isSpace(b[v])) v++;
        if (literal(b, v, end, 'null') === -1) flags |= bit;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth === MAX_DEPTH) return parsed(b, start, end);
      stack[depth++] = c === 0x7b ? 1 : 2;
      i++;
      while (i < end && isSpace(b[i])) i++;
      if (b[i] === (c === 0x7b ? 0x7d : 0x5d)) {
        i++;
        depth--;
        afterValue = true;
      } else expectKey = c === 0x7b;
      continue;
    }
    if (c === 0x22) i = skipString(b, i, end);
    else if (c === 0x74) i = literal(b, i, end, 'true');
    else if (c === 0x66) i = literal(b, i, end, 'false');
    else if (c === 0x6e) i = literal(b, i, end, 'null');
    else i = skipNumber(b, i, end);
    if (i === -1) return 0;
    afterValue = true;
  }
}

function parsed(b: Buffer, start: number, end: number): number {
  try {
    const v = JSON.parse(b.toString('utf8', start, end)) as { usage?: unknown; error?: unknown } | null;
    if (typeof v !== 'object' || v === null) return JSON_VALID;
    return JSON_VALID | (v.usage !== undefined && v.usage !== null ? JSON_USAGE : 0) | (v.error !== undefined && v.error !== null ? JSON_ERROR : 0);
  } catch {
    return 0;
  }
}
