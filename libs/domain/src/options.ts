/**
 * The option registry: every key of the `options` table (SPEC section 8; One API's
 * model/option.go `InitOptionMap` and common/config/config.go defaults), with its stored default,
 * kind, secrecy and console group; value validation; One API's enable-guards
 * (controller/option.go); and a typed view (`readOptions`) for services.
 *
 * Values are stored as strings, exactly as One API stores them ("true"/"false", "500", JSON).
 */
import {
  DEFAULT_COMPLETION_RATIO,
  DEFAULT_GROUP_RATIO,
  DEFAULT_MODEL_RATIO,
  parseRatioJson,
  ratioMapToJson,
} from './ratios';
import { QUOTA_PER_UNIT } from './quota';

/** How a value is edited and validated. */
export type OptionKind = 'string' | 'text' | 'html' | 'int' | 'float' | 'bool' | 'json-ratio' | 'url' | 'email-list';

/** The settings page that shows the option (One API: 运营设置 / 系统设置 / 其他设置). */
export type OptionGroup = 'operation' | 'system' | 'other';

/** Metadata of one option key. */
export interface OptionDefinition {
  key: string;
  kind: OptionKind;
  /** Default as stored in the `options` table. */
  default: string;
  /** Never returned by the API (One API hides keys ending in Token or Secret). */
  secret: boolean;
  group: OptionGroup;
  /** Inclusive bounds for `int` / `float`. */
  min?: number;
  max?: number;
  /** One-line English description for the console and the API docs. */
  description: string;
  /** For `string` options with a fixed set of values: the allowed values. */
  choices?: readonly string[];
}

/** Product name shown when the operator has not set `SystemName`. */
export const DEFAULT_SYSTEM_NAME = 'One API TS';

/** One API's default `EmailDomainWhitelist`. */
export const DEFAULT_EMAIL_DOMAIN_WHITELIST = [
  'gmail.com',
  '163.com',
  '126.com',
  'qq.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'yahoo.com',
  'foxmail.com',
].join(',');

type Def = Omit<OptionDefinition, 'key'>;
const str = (group: OptionGroup, description: string, d = ''): Def => ({ kind: 'string', default: d, secret: false, group, description });
const secret = (group: OptionGroup, description: string): Def => ({ kind: 'string', default: '', secret: true, group, description });
const html = (description: string, d = ''): Def => ({ kind: 'html', default: d, secret: false, group: 'other', description });
const url = (group: OptionGroup, description: string, d = ''): Def => ({ kind: 'url', default: d, secret: false, group, description });
const bool = (group: OptionGroup, d: boolean, description: string): Def => ({ kind: 'bool', default: String(d), secret: false, group, description });
const int = (group: OptionGroup, d: number, description: string, min = 0, max = Number.MAX_SAFE_INTEGER): Def => ({
  kind: 'int',
  default: String(d),
  secret: false,
  group,
  min,
  max,
  description,
});
const float = (group: OptionGroup, d: number, description: string, min = 0, max = Number.MAX_SAFE_INTEGER): Def => ({
  kind: 'float',
  default: String(d),
  secret: false,
  group,
  min,
  max,
  description,
});
const ratio = (d: Readonly<Record<string, number>>, description: string): Def => ({
  kind: 'json-ratio',
  default: ratioMapToJson(d),
  secret: false,
  group: 'operation',
  description,
});

const DEFS = {
  // ---- other (其他设置): branding and content
  SystemName: str('other', 'Product name shown in the console and e-mails', DEFAULT_SYSTEM_NAME),
  Logo: url('other', 'Logo image URL'),
  Footer: html('Footer HTML'),
  Notice: html('Notice shown on the home page (Markdown)'),
  About: html('About page: Markdown/HTML, or a URL shown in an iframe'),
  HomePageContent: html('Home page: Markdown/HTML, or a URL shown in an iframe'),
  Theme: str('other', 'Console theme', 'default'),
  // ---- operation (运营设置): quota, billing, channels, logs
  TopUpLink: url('operation', 'Where users buy redemption codes'),
  ChatLink: url('operation', 'Chat web app linked from the token list'),
  QuotaForNewUser: int('operation', 0, 'Quota granted to a newly registered user'),
  QuotaForInviter: int('operation', 0, 'Quota granted to the inviter when an invitee registers'),
  QuotaForInvitee: int('operation', 0, 'Quota granted to a user who registers with an invitation code'),
  QuotaRemindThreshold: int('operation', 1000, 'E-mail a user whose quota falls below this'),
  PreConsumedQuota: int('operation', 500, 'Quota reserved per request on top of prompt + max_tokens'),
  QuotaPerUnit: float('operation', QUOTA_PER_UNIT, 'Quota per US dollar', 1),
  RetryTimes: int('operation', 0, 'Retries on another channel after an upstream failure', 0, 10),
  ChannelDisableThreshold: float('operation', 5, 'Seconds: a channel test slower than this disables the channel'),
  DisplayInCurrencyEnabled: bool('operation', true, 'Show quota as money (in DisplayCurrency) instead of raw quota units'),
  DisplayCurrency: { ...str('operation', 'Currency of money amounts in the console: USD, or CNY converted at USDExchangeRate', 'USD'), choices: ['USD', 'CNY'] } satisfies Def,
  USDExchangeRate: float('operation', 7.3, 'Yuan per US dollar, for DisplayCurrency CNY', 0.0001),
  DisplayTokenStatEnabled: bool('operation', true, 'Billing endpoints report token quota instead of user quota'),
  AutomaticDisableChannelEnabled: bool('operation', false, 'Disable a channel on upstream auth/billing errors'),
  AutomaticEnableChannelEnabled: bool('operation', false, 'Re-enable a channel whose test passes'),
  LogConsumeEnabled: bool('operation', true, 'Write a consume log for every billed request'),
  ApproximateTokenEnabled: bool('operation', false, 'Count tokens approximately (faster, less exact)'),
  RefuseUnknownModel: bool('operation', false, 'Refuse models without a ratio instead of pricing them at 30'),
  ModelRatio: ratio(DEFAULT_MODEL_RATIO, 'Model ratios (JSON; 1 = $0.002 / 1K tokens)'),
  CompletionRatio: ratio(DEFAULT_COMPLETION_RATIO, 'Completion ratios (JSON; output price / input price)'),
  GroupRatio: ratio(DEFAULT_GROUP_RATIO, 'Group ratios (JSON)'),
  TokenRequestsPerMinute: int('operation', 0, 'Requests per minute per token, across all relay replicas (0 = unlimited)'),
  UserRequestsPerMinute: int('operation', 0, 'Requests per minute per user, all of its tokens together (0 = unlimited)'),
  TokenTokensPerMinute: int('operation', 0, 'Prompt + completion tokens per minute per token (0 = unlimited)'),
  UserConcurrencyLimit: int('operation', 0, 'Requests in flight at once per user, across all relay replicas (0 = unlimited)'),
  TokenConcurrencyLimit: int('operation', 0, 'Requests in flight at once per token, across all relay replicas (0 = unlimited)'),
  // ---- system (系统设置): login, registration, mail, integrations
  ServerAddress: url('system', 'Public URL of this deployment (OAuth callbacks, e-mail links)'),
  RegisterEnabled: bool('system', true, 'Allow new registrations (any method)'),
  PasswordLoginEnabled: bool('system', true, 'Allow login with username and password'),
  PasswordRegisterEnabled: bool('system', true, 'Allow registration with username and password'),
  EmailVerificationEnabled: bool('system', false, 'Require e-mail verification on password registration'),
  EmailDomainRestrictionEnabled: bool('system', false, 'Only allow e-mail addresses of whitelisted domains'),
  EmailDomainWhitelist: {
    kind: 'email-list',
    default: DEFAULT_EMAIL_DOMAIN_WHITELIST,
    secret: false,
    group: 'system',
    description: 'Comma-separated e-mail domains allowed when the restriction is on',
  } satisfies Def,
  GitHubOAuthEnabled: bool('system', false, 'Allow login with GitHub'),
  GitHubClientId: str('system', 'GitHub OAuth app client id'),
  GitHubClientSecret: secret('system', 'GitHub OAuth app client secret'),
  WeChatAuthEnabled: bool('system', false, 'Allow login through a WeChat Server'),
  WeChatServerAddress: url('system', 'WeChat Server base URL'),
  WeChatServerToken: secret('system', 'WeChat Server access token'),
  WeChatAccountQRCodeImageURL: url('system', 'QR code image of the WeChat official account'),
  TurnstileCheckEnabled: bool('system', false, 'Require a Cloudflare Turnstile check on login and registration'),
  TurnstileSiteKey: str('system', 'Cloudflare Turnstile site key'),
  TurnstileSecretKey: secret('system', 'Cloudflare Turnstile secret key'),
  SMTPServer: str('system', 'SMTP host'),
  SMTPPort: int('system', 587, 'SMTP port (465 = implicit TLS)', 1, 65535),
  SMTPAccount: str('system', 'SMTP user name'),
  SMTPFrom: str('system', 'Sender address (defaults to SMTPAccount)'),
  SMTPToken: secret('system', 'SMTP password or token'),
  MessagePusherAddress: url('system', 'Message Pusher URL for root notifications'),
  MessagePusherToken: secret('system', 'Message Pusher access token'),
} as const satisfies Record<string, Def>;

/** Every option key. */
export type OptionKey = keyof typeof DEFS;

/** The registry, keyed by option key. */
export const OPTION_DEFINITIONS: Readonly<Record<OptionKey, OptionDefinition>> = Object.freeze(
  Object.fromEntries(Object.entries(DEFS).map(([key, def]) => [key, Object.freeze({ key, ...def })])) as Record<
    OptionKey,
    OptionDefinition
  >,
);

/** All option keys in registry order. */
export const OPTION_KEYS: readonly OptionKey[] = Object.freeze(Object.keys(DEFS) as OptionKey[]);

/** True for a key of the registry. */
export function isOptionKey(key: string): key is OptionKey {
  return Object.prototype.hasOwnProperty.call(DEFS, key);
}

/** The definition of a key, or undefined. */
export function getOptionDefinition(key: string): OptionDefinition | undefined {
  return isOptionKey(key) ? OPTION_DEFINITIONS[key] : undefined;
}

/**
 * True when the value must never leave the server. Registry secrets, plus One API's rule for
 * unknown keys: anything ending in `Token` or `Secret`.
 */
export function isSecretOption(key: string): boolean {
  const def = getOptionDefinition(key);
  return def ? def.secret : /(Token|Secret)$/.test(key);
}

/** The stored defaults of every option (key → string). */
export function optionDefaults(): Record<OptionKey, string> {
  return Object.fromEntries(OPTION_KEYS.map((k) => [k, OPTION_DEFINITIONS[k].default])) as Record<OptionKey, string>;
}

/**
 * Why a value was refused, for clients that show the reason in their own language (the console
 * translates these; `message` is the English text).
 */
export type OptionErrorCode =
  | 'unknown_option'
  | 'not_scalar'
  | 'not_bool'
  | 'not_integer'
  | 'not_number'
  | 'out_of_range'
  | 'not_url'
  | 'bad_ratio_json'
  | 'bad_domain'
  | 'not_choice'
  | 'requires_options';

/** Values for the translated message of an {@link OptionErrorCode} (bounds, the bad domain, required keys). */
export type OptionErrorParams = Record<string, string | number>;

/** Result of {@link validateOptionValue}: the normalised string to store, or why it is invalid. */
export type OptionValidation = { ok: true; value: string } | { ok: false; message: string; code: OptionErrorCode; params?: OptionErrorParams };

const fail = (message: string, code: OptionErrorCode, params?: OptionErrorParams): OptionValidation =>
  params ? { ok: false, message, code, params } : { ok: false, message, code };

function validateUrl(key: string, text: string): OptionValidation {
  if (text === '') return { ok: true, value: '' };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail(`${key} must be an http(s) URL`, 'not_url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return fail(`${key} must be an http(s) URL`, 'not_url');
  return { ok: true, value: text };
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/**
 * Validate and normalise a submitted value for `key`. Accepts strings, numbers and booleans
 * (the console sends booleans as strings, API clients may not). Unknown keys are rejected.
 * - bool: "true"/"false" only; int: a safe integer within the definition's bounds;
 * - float: a finite number within bounds; json-ratio: see `parseRatioJson` (re-serialised);
 * - url: empty or http(s); email-list: comma-separated domains (spaces and "@" trimmed, lowercased);
 * - string/text/html: kept as given (strings are not trimmed: HTML and Markdown keep whitespace).
 */
export function validateOptionValue(key: string, value: unknown): OptionValidation {
  const def = getOptionDefinition(key);
  if (!def) return fail(`unknown option: ${key}`, 'unknown_option');
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else return fail(`${key} must be a string, number or boolean`, 'not_scalar');

  switch (def.kind) {
    case 'bool': {
      const t = text.trim().toLowerCase();
      return t === 'true' || t === 'false' ? { ok: true, value: t } : fail(`${key} must be true or false`, 'not_bool');
    }
    case 'int': {
      const t = text.trim();
      const n = Number(t);
      if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(n)) return fail(`${key} must be an integer`, 'not_integer');
      return inRange(def, n) ? { ok: true, value: String(n) } : fail(rangeMessage(def), 'out_of_range', { min: def.min ?? 0, max: def.max ?? Number.MAX_SAFE_INTEGER });
    }
    case 'float': {
      const t = text.trim();
      const n = Number(t);
      if (t === '' || !Number.isFinite(n)) return fail(`${key} must be a number`, 'not_number');
      return inRange(def, n) ? { ok: true, value: String(n) } : fail(rangeMessage(def), 'out_of_range', { min: def.min ?? 0, max: def.max ?? Number.MAX_SAFE_INTEGER });
    }
    case 'json-ratio':
      try {
        return { ok: true, value: ratioMapToJson(parseRatioJson(text)) };
      } catch (e) {
        return fail(`${key}: ${(e as Error).message}`, 'bad_ratio_json', { detail: (e as Error).message });
      }
    case 'url':
      return validateUrl(key, text.trim());
    case 'email-list': {
      const domains = text
        .split(',')
        .map((d) => d.trim().replace(/^@/, '').toLowerCase())
        .filter((d) => d !== '');
      const bad = domains.find((d) => !DOMAIN_RE.test(d));
      if (bad !== undefined) return fail(`${key}: "${bad}" is not a domain name`, 'bad_domain', { domain: bad });
      return { ok: true, value: domains.join(',') };
    }
    case 'string':
      if (def.choices && !def.choices.includes(text.trim())) return fail(`${key} must be one of ${def.choices.join(', ')}`, 'not_choice', { choices: def.choices.join(', ') });
      return { ok: true, value: def.choices ? text.trim() : text };
    case 'text':
    case 'html':
      return { ok: true, value: text };
    default: {
      const exhaustive: never = def.kind;
      return fail(`unsupported option kind ${String(exhaustive)}`, 'not_scalar');
    }
  }
}

function inRange(def: OptionDefinition, n: number): boolean {
  return (def.min === undefined || n >= def.min) && (def.max === undefined || n <= def.max);
}

function rangeMessage(def: OptionDefinition): string {
  if (def.max === undefined || def.max >= Number.MAX_SAFE_INTEGER) return `${def.key} must be at least ${def.min ?? 0}`;
  return `${def.key} must be between ${def.min ?? 0} and ${def.max}`;
}

/**
 * One API's update guards (controller/option.go): a login feature cannot be switched on before
 * its settings exist. Switch key → the options that must be non-empty first.
 */
const OPTION_GUARDS: Readonly<Record<string, { requires: readonly OptionKey[]; what: string }>> = {
  GitHubOAuthEnabled: { requires: ['GitHubClientId', 'GitHubClientSecret'], what: 'GitHub OAuth' },
  WeChatAuthEnabled: { requires: ['WeChatServerAddress'], what: 'WeChat login' },
  EmailDomainRestrictionEnabled: { requires: ['EmailDomainWhitelist'], what: 'the e-mail domain restriction' },
  TurnstileCheckEnabled: { requires: ['TurnstileSiteKey', 'TurnstileSecretKey'], what: 'Turnstile' },
};

/**
 * The guard refusal for switching `key` to the normalised `value` given the `current` options,
 * with the keys that must be set first; null when the change is allowed.
 */
export function optionGuardRefusal(key: string, value: string, current: Readonly<Record<string, string>>): { message: string; requires: readonly OptionKey[] } | null {
  const guard = OPTION_GUARDS[key];
  if (value !== 'true' || !guard) return null;
  if (guard.requires.every((k) => (current[k] ?? '').trim() !== '')) return null;
  return { message: `Cannot enable ${guard.what}: set ${guard.requires.join(' and ')} first`, requires: guard.requires };
}

/**
 * {@link optionGuardRefusal}'s message only: the error message, or null when the change is allowed.
 */
export function checkOptionGuard(key: string, value: string, current: Readonly<Record<string, string>>): string | null {
  return optionGuardRefusal(key, value, current)?.message ?? null;
}

/** Typed view of the options, defaults filled in. Field names are the option keys. */
export interface Options {
  SystemName: string;
  Logo: string;
  Footer: string;
  Notice: string;
  About: string;
  HomePageContent: string;
  Theme: string;
  TopUpLink: string;
  ChatLink: string;
  QuotaForNewUser: number;
  QuotaForInviter: number;
  QuotaForInvitee: number;
  QuotaRemindThreshold: number;
  PreConsumedQuota: number;
  QuotaPerUnit: number;
  RetryTimes: number;
  ChannelDisableThreshold: number;
  DisplayInCurrencyEnabled: boolean;
  /** `USD` or `CNY`. */
  DisplayCurrency: string;
  USDExchangeRate: number;
  DisplayTokenStatEnabled: boolean;
  AutomaticDisableChannelEnabled: boolean;
  AutomaticEnableChannelEnabled: boolean;
  LogConsumeEnabled: boolean;
  ApproximateTokenEnabled: boolean;
  RefuseUnknownModel: boolean;
  /** Parsed `ModelRatio`; invalid stored JSON falls back to the defaults. */
  ModelRatio: Readonly<Record<string, number>>;
  CompletionRatio: Readonly<Record<string, number>>;
  GroupRatio: Readonly<Record<string, number>>;
  TokenRequestsPerMinute: number;
  UserRequestsPerMinute: number;
  TokenTokensPerMinute: number;
  UserConcurrencyLimit: number;
  TokenConcurrencyLimit: number;
  ServerAddress: string;
  RegisterEnabled: boolean;
  PasswordLoginEnabled: boolean;
  PasswordRegisterEnabled: boolean;
  EmailVerificationEnabled: boolean;
  EmailDomainRestrictionEnabled: boolean;
  /** Parsed `EmailDomainWhitelist`: lower-case domains. */
  EmailDomainWhitelist: readonly string[];
  GitHubOAuthEnabled: boolean;
  GitHubClientId: string;
  GitHubClientSecret: string;
  WeChatAuthEnabled: boolean;
  WeChatServerAddress: string;
  WeChatServerToken: string;
  WeChatAccountQRCodeImageURL: string;
  TurnstileCheckEnabled: boolean;
  TurnstileSiteKey: string;
  TurnstileSecretKey: string;
  SMTPServer: string;
  SMTPPort: number;
  SMTPAccount: string;
  SMTPFrom: string;
  SMTPToken: string;
  MessagePusherAddress: string;
  MessagePusherToken: string;
}

/**
 * Typed options from the stored key → value map. Missing or invalid values take the registry
 * default (a bad stored value never takes a service down); unknown keys are ignored.
 * Pure and cheap enough to call per options revision, not per request: memoise on the store's
 * revision.
 */
export function readOptions(map: Readonly<Record<string, string | undefined>>): Options {
  const out: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    const def = OPTION_DEFINITIONS[key];
    const raw = map[key];
    const checked = raw === undefined ? undefined : validateOptionValue(key, raw);
    const text = checked && checked.ok ? checked.value : def.default;
    out[key] = typed(def, text);
  }
  return out as unknown as Options;
}

/** Parsed ratio JSON, or the parsed default when the stored text is invalid. */
function parseRatioJsonOr(text: string, fallback: string): Record<string, number> {
  try {
    return parseRatioJson(text);
  } catch {
    return parseRatioJson(fallback);
  }
}

function typed(def: OptionDefinition, text: string): unknown {
  switch (def.kind) {
    case 'bool':
      return text === 'true';
    case 'int':
    case 'float':
      return Number(text);
    case 'json-ratio':
      return Object.freeze(parseRatioJsonOr(text, def.default));
    case 'email-list':
      return Object.freeze(text.split(',').filter((d) => d !== ''));
    default:
      return text;
  }
}

/**
 * The options safe to return over the API: every stored or default value except secrets, as
 * strings (One API's GET /api/option).
 */
export function publicOptionEntries(map: Readonly<Record<string, string | undefined>>): Array<{ key: string; value: string }> {
  const merged: Record<string, string> = { ...optionDefaults() };
  for (const [k, v] of Object.entries(map)) if (v !== undefined) merged[k] = v;
  return Object.entries(merged)
    .filter(([k]) => !isSecretOption(k))
    .map(([key, value]) => ({ key, value }));
}
