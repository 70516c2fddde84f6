/**
 * How the system-settings page renders One API's options (SPEC 8), grouped as One API's console
 * does (OperationSetting / SystemSetting / OtherSetting). Keys the API returns but are not listed
 * here still show, as text in "other".
 */
export type OptionGroup = 'operation' | 'system' | 'other';
export type OptionKind = 'boolean' | 'number' | 'text' | 'secret' | 'json' | 'longtext';

export interface OptionSpec {
  group: OptionGroup;
  kind: OptionKind;
}

const spec = (group: OptionGroup, kind: OptionKind): OptionSpec => ({ group, kind });

export const OPTION_SPECS: Record<string, OptionSpec> = {
  // Operation
  QuotaForNewUser: spec('operation', 'number'),
  QuotaForInviter: spec('operation', 'number'),
  QuotaForInvitee: spec('operation', 'number'),
  QuotaRemindThreshold: spec('operation', 'number'),
  PreConsumedQuota: spec('operation', 'number'),
  QuotaPerUnit: spec('operation', 'number'),
  TopUpLink: spec('operation', 'text'),
  ChatLink: spec('operation', 'text'),
  RetryTimes: spec('operation', 'number'),
  ChannelDisableThreshold: spec('operation', 'number'),
  AutomaticDisableChannelEnabled: spec('operation', 'boolean'),
  AutomaticEnableChannelEnabled: spec('operation', 'boolean'),
  LogConsumeEnabled: spec('operation', 'boolean'),
  DisplayInCurrencyEnabled: spec('operation', 'boolean'),
  DisplayTokenStatEnabled: spec('operation', 'boolean'),
  ApproximateTokenEnabled: spec('operation', 'boolean'),
  ModelRatio: spec('operation', 'json'),
  CompletionRatio: spec('operation', 'json'),
  GroupRatio: spec('operation', 'json'),
  // System
  ServerAddress: spec('system', 'text'),
  RegisterEnabled: spec('system', 'boolean'),
  PasswordLoginEnabled: spec('system', 'boolean'),
  PasswordRegisterEnabled: spec('system', 'boolean'),
  EmailVerificationEnabled: spec('system', 'boolean'),
  EmailDomainRestrictionEnabled: spec('system', 'boolean'),
  EmailDomainWhitelist: spec('system', 'text'),
  GitHubOAuthEnabled: spec('system', 'boolean'),
  GitHubClientId: spec('system', 'text'),
  GitHubClientSecret: spec('system', 'secret'),
  WeChatAuthEnabled: spec('system', 'boolean'),
  WeChatServerAddress: spec('system', 'text'),
  WeChatServerToken: spec('system', 'secret'),
  WeChatAccountQRCodeImageURL: spec('system', 'text'),
  TurnstileCheckEnabled: spec('system', 'boolean'),
  TurnstileSiteKey: spec('system', 'text'),
  TurnstileSecretKey: spec('system', 'secret'),
  SMTPServer: spec('system', 'text'),
  SMTPPort: spec('system', 'number'),
  SMTPAccount: spec('system', 'text'),
  SMTPFrom: spec('system', 'text'),
  SMTPToken: spec('system', 'secret'),
  MessagePusherAddress: spec('system', 'text'),
  MessagePusherToken: spec('system', 'secret'),
  // Other
  SystemName: spec('other', 'text'),
  Logo: spec('other', 'text'),
  Footer: spec('other', 'longtext'),
  Notice: spec('other', 'longtext'),
  About: spec('other', 'longtext'),
  HomePageContent: spec('other', 'longtext'),
  Theme: spec('other', 'text'),
};

/** Spec of a key; unknown keys are guessed from their name and value. */
export function optionSpec(key: string, value: string): OptionSpec {
  const known = OPTION_SPECS[key];
  if (known) return known;
  if (/Enabled$/.test(key) && (value === 'true' || value === 'false')) return spec('other', 'boolean');
  if (/(Secret|Token|Password)$/.test(key)) return spec('other', 'secret');
  return spec('other', value.length > 80 || value.includes('\n') ? 'longtext' : 'text');
}
