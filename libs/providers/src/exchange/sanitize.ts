/**
 * Upstream text never reaches a client raw (SPEC 13): error messages of upstreams carry key
 * fragments ("Incorrect API key provided: sk-abcd****wxyz"), internal URLs and hosts of the
 * gateway's network ("connect ECONNREFUSED 10.1.2.3:8080"). Everything that looks like one is
 * replaced by a placeholder; the rest of the message, which tells the caller what went wrong,
 * stays.
 */

/** Longest message returned. */
export const SANITIZED_MAX_LENGTH = 500;
/** Only this much of the upstream text is looked at (error paths only, but bodies can be huge). */
const SCAN_LIMIT = 4096;
/** A secret fragment this long or longer is a leak. */
const FRAGMENT = 6;

const KEY = '[redacted]';

/** `scheme://...` up to whitespace or a quote; trailing sentence punctuation is given back. */
const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
const BEARER_RE = /\bBearer\s+[^\s"',;]+/gi;
/** `api_key=x`, `password: x`; a bare `key`/`token` only in query style (`key=x`), since "key: messages" is prose. */
const KEY_PARAM_RE = /\b((?:api[_-]?key|access[_-]?token|secret|password)\s*[=:]\s*|(?:key|token)=)[^\s&"',;]{4,}/gi;
/** OpenAI-style keys (`sk-`, `sk-proj-`, `sk-ant-` ...), masked ones included (`sk-abcd****wxyz`). */
const SK_RE = /\bsk-(?:[A-Za-z0-9_-]*\*[A-Za-z0-9_*-]*|[A-Za-z0-9_-]{4,})/g;
/** Google API keys. */
const GOOGLE_RE = /\bAIza[0-9A-Za-z_-]{10,}/g;
/** OpenAI organisation and project ids name the channel's account. */
const ACCOUNT_ID_RE = /\b(?:org|proj)[-_][A-Za-z0-9]{8,}\b/g;
/** Masked keys of any provider: `abcd****wxyz`. */
const MASKED_RE = /[A-Za-z0-9_-]*\*{3,}[A-Za-z0-9_-]*/g;
const IPV4_RE = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?::\d{1,5})?\b/g;
/** Candidates only (hex groups and colons); `isIPv6` decides, so "12:30:45" and "std::io" stay. */
const IPV6_RE = /(?<![\w:])\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[\w.]+)?\]?(?::\d{1,5})?(?![\w:])/gi;
const HOST_PORT_RE = /\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*:\d{2,5}\b/gi;
/**
 * Dotted names ending in a TLD-like label. The list leaves out TLDs that are English words
 * ("it", "in", "me", "to") and file extensions, so "request.It" or "config.json" stay; field
 * paths such as Anthropic's "messages.0.content" end in no TLD and stay too.
 */
const TLDS = [
  'com', 'net', 'org', 'io', 'ai', 'dev', 'app', 'cloud', 'info', 'biz', 'tech', 'site', 'online', 'xyz', 'top',
  'cn', 'uk', 'de', 'jp', 'kr', 'fr', 'ru', 'eu', 'ca', 'au', 'nl', 'br', 'sg', 'hk', 'tw', 'ch', 'se', 'fi', 'es', 'pl', 'vn',
  'internal', 'local', 'localdomain', 'lan', 'corp', 'intranet', 'example', 'test', 'invalid', 'localhost', 'svc', 'cluster',
];
const HOST_RE = new RegExp(`\\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${TLDS.join('|')})\\b`, 'gi');
/** Long base64/hex runs (keys, tokens, signatures); only with a digit, so long words stay. */
const LONG_RUN_RE = /[A-Za-z0-9+/]{24,}={0,2}/g;
const REPEATED_PLACEHOLDER = /(\[(?:redacted|url|host|ip)\])(?:\s*\1)+/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_RE = /[\u0000-\u001f\u007f]+/g;

function isIPv6(candidate: string): boolean {
  const core = candidate.replace(/^\[/, '').replace(/\](?::\d+)?$/, '').replace(/%.*$/, '');
  if (!/[0-9a-f]/i.test(core) && core !== '::') return false;
  return core.includes('::') || core.split(':').length === 8;
}

/** Every place a ≥ 6-character piece of a secret (or a short secret whole) occurs, redacted. */
function redactSecrets(text: string, secrets: readonly string[]): string {
  const grams = new Set<string>();
  const whole: string[] = [];
  for (const secret of secrets) {
    const s = secret.trim();
    if (s.length >= FRAGMENT) for (let i = 0; i + FRAGMENT <= s.length; i++) grams.add(s.slice(i, i + FRAGMENT));
    else if (s.length >= 4) whole.push(s);
  }
  for (const s of whole) text = text.split(s).join(KEY);
  if (grams.size === 0) return text;
  const hit = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + FRAGMENT <= text.length; i++) {
    if (grams.has(text.slice(i, i + FRAGMENT))) {
      hit.fill(1, i, i + FRAGMENT);
      any = true;
    }
  }
  if (!any) return text;
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (hit[i]) {
      while (i < text.length && hit[i]) i++;
      out += KEY;
    } else out += text[i++];
  }
  return out;
}

/**
 * `text` without anything that looks like a key, a URL, a host or an IP address, on one line
 * and at most `maxLength` characters; never '' (an empty message says "upstream error").
 *
 * Removed: every ≥ 6-character fragment of `secrets` (the channel's key), `sk-...` and
 * `AIza...` keys, OpenAI `org-`/`proj_` ids, masked keys (`sk-abcd****wxyz`), `Bearer x`, `key=x`, base64/hex runs of 24+
 * characters, URLs, host names (`api.example.com`, `host:port`), IPv4 and IPv6 addresses.
 */
export function sanitizeUpstreamText(text: string, secrets: readonly string[] = [], maxLength: number = SANITIZED_MAX_LENGTH): string {
  // Cut at a whitespace so a key straddling the cut cannot leave an unrecognisable tail.
  let s = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT).replace(/\S*$/, '') : text;
  s = s
    .replace(URL_RE, (m) => `[url]${TRAILING_PUNCTUATION.exec(m)?.[0] ?? ''}`)
    .replace(BEARER_RE, `Bearer ${KEY}`)
    .replace(KEY_PARAM_RE, `$1${KEY}`)
    .replace(SK_RE, KEY)
    .replace(GOOGLE_RE, KEY)
    .replace(ACCOUNT_ID_RE, KEY)
    .replace(MASKED_RE, KEY);
  s = redactSecrets(s, secrets)
    .replace(IPV4_RE, '[ip]')
    .replace(IPV6_RE, (m) => (isIPv6(m) ? '[ip]' : m))
    .replace(HOST_PORT_RE, '[host]')
    .replace(HOST_RE, '[host]')
    .replace(LONG_RUN_RE, (m) => (/\d/.test(m) && /[A-Za-z]/.test(m) ? KEY : m))
    .replace(REPEATED_PLACEHOLDER, '$1')
    .replace(CONTROL_RE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (s.length > maxLength) s = `${s.slice(0, Math.max(1, maxLength - 1)).trimEnd()}…`;
  return s === '' ? 'upstream error' : s;
}
