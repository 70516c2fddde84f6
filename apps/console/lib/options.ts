/**
 * How the system-settings page renders One API's options (SPEC 8), grouped as One API's console
 * does (OperationSetting / SystemSetting / OtherSetting), derived from the option registry in
 * `@oneapi/domain`, in sections with help text. Keys the registry lacks are not shown: the API
 * refuses to save them.
 */
import { OPTION_DEFINITIONS, type OptionDefinition } from '@oneapi/domain';

export type OptionGroup = 'operation' | 'system' | 'other';
export type OptionKind = 'boolean' | 'number' | 'text' | 'secret' | 'json' | 'longtext';

export interface OptionSpec {
  group: OptionGroup;
  kind: OptionKind;
  /** The section of its tab (`system.sections.<section>` titles it). */
  section: OptionSection;
  /** Allowed values of a choice option (rendered as a select). */
  choices?: readonly string[];
}

/** Sections of the settings tabs, in display order; each key of the registry belongs to one. */
export const OPTION_SECTIONS = {
  operation: {
    quota: ['QuotaForNewUser', 'QuotaForInviter', 'QuotaForInvitee', 'QuotaRemindThreshold', 'PreConsumedQuota'],
    display: ['DisplayInCurrencyEnabled', 'DisplayCurrency', 'USDExchangeRate', 'QuotaPerUnit', 'DisplayTokenStatEnabled'],
    links: ['TopUpLink', 'ChatLink'],
    channels: ['RetryTimes', 'ChannelDisableThreshold', 'AutomaticDisableChannelEnabled', 'AutomaticEnableChannelEnabled'],
    billing: ['LogConsumeEnabled', 'ApproximateTokenEnabled', 'RefuseUnknownModel'],
    limits: ['TokenRequestsPerMinute', 'UserRequestsPerMinute', 'TokenTokensPerMinute', 'UserConcurrencyLimit', 'TokenConcurrencyLimit'],
    ratios: ['ModelRatio', 'CompletionRatio', 'GroupRatio'],
  },
  system: {
    general: ['ServerAddress'],
    login: ['RegisterEnabled', 'PasswordLoginEnabled', 'PasswordRegisterEnabled', 'EmailVerificationEnabled', 'EmailDomainRestrictionEnabled', 'EmailDomainWhitelist'],
    github: ['GitHubOAuthEnabled', 'GitHubClientId', 'GitHubClientSecret'],
    wechat: ['WeChatAuthEnabled', 'WeChatServerAddress', 'WeChatServerToken', 'WeChatAccountQRCodeImageURL'],
    turnstile: ['TurnstileCheckEnabled', 'TurnstileSiteKey', 'TurnstileSecretKey'],
    smtp: ['SMTPServer', 'SMTPPort', 'SMTPAccount', 'SMTPFrom', 'SMTPToken'],
    pusher: ['MessagePusherAddress', 'MessagePusherToken'],
  },
  other: {
    branding: ['SystemName', 'Logo', 'Theme'],
    content: ['Notice', 'HomePageContent', 'About', 'Footer'],
  },
} as const satisfies Record<OptionGroup, Record<string, readonly string[]>>;

export type OptionSection = { [G in OptionGroup]: keyof (typeof OPTION_SECTIONS)[G] }[OptionGroup] | 'more';

const SECTION_OF: Record<string, OptionSection> = Object.fromEntries(
  Object.values(OPTION_SECTIONS).flatMap((sections) =>
    (Object.entries(sections) as [OptionSection, readonly string[]][]).flatMap(([section, keys]) => keys.map((key) => [key, section])),
  ),
);

const spec = (group: OptionGroup, kind: OptionKind, section: OptionSection = 'more', choices?: readonly string[]): OptionSpec =>
  choices ? { group, kind, section, choices } : { group, kind, section };

/** How each kind of the domain's option registry is edited on the page. */
function consoleKind(d: OptionDefinition): OptionKind {
  if (d.secret) return 'secret';
  switch (d.kind) {
    case 'bool':
      return 'boolean';
    case 'int':
    case 'float':
      return 'number';
    case 'json-ratio':
      return 'json';
    case 'text':
    case 'html':
      return 'longtext';
    case 'string':
    case 'url':
    case 'email-list':
      return 'text';
  }
}

/** Every option of the registry in `@oneapi/domain` (the one list the admin API validates against). */
export const OPTION_SPECS: Record<string, OptionSpec> = Object.fromEntries(
  Object.values(OPTION_DEFINITIONS).map((d) => [d.key, spec(d.group, consoleKind(d), SECTION_OF[d.key] ?? 'more', d.choices)]),
);

/**
 * The sections of a settings tab with their keys: {@link OPTION_SECTIONS}, then a "more" section
 * for any key of the group's registry that no section lists yet.
 */
export function optionSections(group: OptionGroup): [OptionSection, readonly string[]][] {
  const listed = Object.entries(OPTION_SECTIONS[group]) as [OptionSection, readonly string[]][];
  const rest = Object.entries(OPTION_SPECS)
    .filter(([, spec]) => spec.group === group && spec.section === 'more')
    .map(([key]) => key);
  return rest.length ? [...listed, ['more', rest]] : listed;
}
