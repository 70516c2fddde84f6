/**
 * Option keys, kinds, defaults, secrecy and One API's update guards (controller/option.go).
 *
 * Interim: `@oneapi/domain`'s option registry (OPTION_DEFINITIONS, validateOptionValue,
 * checkOptionGuard) was not yet in the tree when this was written. When it lands, this file
 * becomes a thin adapter over it and the list below goes away; nothing else in the admin app
 * reads option metadata directly.
 */
export type OptionKind = 'bool' | 'int' | 'number' | 'json' | 'string';

interface OptionRule {
  kind: OptionKind;
  default: string;
}

const b = (d: boolean): OptionRule => ({ kind: 'bool', default: String(d) });
const i = (d: number): OptionRule => ({ kind: 'int', default: String(d) });
const n = (d: number): OptionRule => ({ kind: 'number', default: String(d) });
const s = (d = ''): OptionRule => ({ kind: 'string', default: d });
const j = (d: string): OptionRule => ({ kind: 'json', default: d });

const RULES: Record<string, OptionRule> = {
  SystemName: s('One API'),
  Logo: s(),
  Footer: s(),
  Notice: s(),
  About: s(),
  HomePageContent: s(),
  TopUpLink: s(),
  ChatLink: s(),
  ServerAddress: s('http://localhost:3000'),
  QuotaForNewUser: i(0),
  QuotaForInviter: i(0),
  QuotaForInvitee: i(0),
  QuotaRemindThreshold: i(1000),
  PreConsumedQuota: i(500),
  QuotaPerUnit: n(500000),
  RetryTimes: i(0),
  ChannelDisableThreshold: n(5),
  DisplayInCurrencyEnabled: b(true),
  DisplayTokenStatEnabled: b(true),
  AutomaticDisableChannelEnabled: b(false),
  AutomaticEnableChannelEnabled: b(false),
  LogConsumeEnabled: b(true),
  ApproximateTokenEnabled: b(false),
  RegisterEnabled: b(true),
  PasswordLoginEnabled: b(true),
  PasswordRegisterEnabled: b(true),
  EmailVerificationEnabled: b(false),
  EmailDomainRestrictionEnabled: b(false),
  EmailDomainWhitelist: s('gmail.com,163.com,126.com,qq.com,outlook.com,hotmail.com,icloud.com,yahoo.com,foxmail.com'),
  GitHubOAuthEnabled: b(false),
  GitHubClientId: s(),
  GitHubClientSecret: s(),
  WeChatAuthEnabled: b(false),
  WeChatServerAddress: s(),
  WeChatServerToken: s(),
  WeChatAccountQRCodeImageURL: s(),
  TurnstileCheckEnabled: b(false),
  TurnstileSiteKey: s(),
  TurnstileSecretKey: s(),
  SMTPServer: s(),
  SMTPPort: i(587),
  SMTPAccount: s(),
  SMTPFrom: s(),
  SMTPToken: s(),
  ModelRatio: j('{}'),
  CompletionRatio: j('{}'),
  GroupRatio: j('{"default":1,"vip":1,"svip":1}'),
};

export function isKnownOption(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(RULES, key);
}

/** One API never returns keys ending in Token or Secret (GetOptions); TurnstileSecretKey is one too. */
export function isSecretOption(key: string): boolean {
  return /(Token|Secret|SecretKey)$/.test(key);
}

export function optionDefaults(): Record<string, string> {
  return Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, r.default]));
}

/** Normalises a submitted value to its stored string, or returns the reason it is invalid. */
export function normaliseOptionValue(key: string, value: unknown): { value: string } | { error: string } {
  const rule = RULES[key];
  if (!rule) return { error: `key ${key} is not a known option` };
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  if (text === null) return { error: `value of ${key} must be a string, number or boolean` };
  switch (rule.kind) {
    case 'bool':
      return text === 'true' || text === 'false' ? { value: text } : { error: `value of ${key} must be true or false` };
    case 'int':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) >= 0 ? { value: String(Number(text)) } : { error: `value of ${key} must be a non-negative integer` };
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) && Number(text) >= 0 ? { value: text } : { error: `value of ${key} must be a non-negative number` };
    case 'json': {
      try {
        const parsed: unknown = JSON.parse(text);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: `value of ${key} must be a JSON object` };
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return { error: `value of ${key}: ratio of ${k} must be a non-negative number` };
        }
        return { value: text };
      } catch {
        return { error: `value of ${key} must be valid JSON` };
      }
    }
    case 'string':
      return { value: typeof value === 'string' ? value : text };
    default: {
      const exhaustive: never = rule.kind;
      return { error: String(exhaustive) };
    }
  }
}

/** One API's UpdateOption guards: a feature cannot be switched on before its settings exist. */
export function optionGuard(key: string, value: string, current: Readonly<Record<string, string>>): string | null {
  if (value !== 'true') return null;
  const has = (k: string) => (current[k] ?? '').trim() !== '';
  switch (key) {
    case 'GitHubOAuthEnabled':
      return has('GitHubClientId') && has('GitHubClientSecret') ? null : 'cannot enable GitHub OAuth: set GitHubClientId and GitHubClientSecret first';
    case 'EmailDomainRestrictionEnabled':
      return has('EmailDomainWhitelist') ? null : 'cannot enable the email domain restriction: set EmailDomainWhitelist first';
    case 'WeChatAuthEnabled':
      return has('WeChatServerAddress') && has('WeChatServerToken') ? null : 'cannot enable WeChat login: set WeChatServerAddress and WeChatServerToken first';
    case 'TurnstileCheckEnabled':
      return has('TurnstileSiteKey') && has('TurnstileSecretKey') ? null : 'cannot enable Turnstile: set TurnstileSiteKey and TurnstileSecretKey first';
    default:
      return null;
  }
}
