import {
  DEFAULT_SYSTEM_NAME,
  OPTION_DEFINITIONS,
  OPTION_KEYS,
  checkOptionGuard,
  isSecretOption,
  optionDefaults,
  publicOptionEntries,
  readOptions,
  validateOptionValue,
} from './options';
import { DEFAULT_MODEL_RATIO } from './ratios';

describe('option registry', () => {
  it('lists every SPEC section 8 key', () => {
    const spec = `SystemName Logo Footer Notice About HomePageContent TopUpLink ChatLink QuotaForNewUser
      QuotaForInviter QuotaForInvitee QuotaRemindThreshold PreConsumedQuota QuotaPerUnit DisplayInCurrencyEnabled
      DisplayTokenStatEnabled RetryTimes ChannelDisableThreshold AutomaticDisableChannelEnabled
      AutomaticEnableChannelEnabled LogConsumeEnabled RegisterEnabled PasswordLoginEnabled PasswordRegisterEnabled
      EmailVerificationEnabled EmailDomainRestrictionEnabled EmailDomainWhitelist GitHubOAuthEnabled GitHubClientId
      GitHubClientSecret WeChatAuthEnabled WeChatServerAddress WeChatServerToken WeChatAccountQRCodeImageURL
      TurnstileCheckEnabled TurnstileSiteKey TurnstileSecretKey SMTPServer SMTPPort SMTPAccount SMTPFrom SMTPToken
      ServerAddress ModelRatio CompletionRatio GroupRatio ApproximateTokenEnabled RefuseUnknownModel`.split(/\s+/);
    for (const key of spec) expect(OPTION_KEYS).toContain(key);
  });

  it('has One API defaults', () => {
    const d = optionDefaults();
    expect(d.PreConsumedQuota).toBe('500');
    expect(d.QuotaPerUnit).toBe('500000');
    expect(d.RetryTimes).toBe('0');
    expect(d.ChannelDisableThreshold).toBe('5');
    expect(d.QuotaRemindThreshold).toBe('1000');
    expect(d.LogConsumeEnabled).toBe('true');
    expect(d.RegisterEnabled).toBe('true');
    expect(d.PasswordLoginEnabled).toBe('true');
    expect(d.PasswordRegisterEnabled).toBe('true');
    expect(d.DisplayInCurrencyEnabled).toBe('true');
    expect(d.ApproximateTokenEnabled).toBe('false');
    expect(d.RefuseUnknownModel).toBe('false');
    expect(d.SystemName).toBe(DEFAULT_SYSTEM_NAME);
    expect(JSON.parse(d.GroupRatio)).toEqual({ default: 1, vip: 1, svip: 1 });
    expect(JSON.parse(d.ModelRatio)).toEqual(DEFAULT_MODEL_RATIO);
  });

  it('every default passes its own validation', () => {
    for (const key of OPTION_KEYS) {
      const def = OPTION_DEFINITIONS[key];
      expect(validateOptionValue(key, def.default)).toEqual({ ok: true, value: def.default });
    }
  });

  it('marks secrets', () => {
    for (const k of ['SMTPToken', 'GitHubClientSecret', 'WeChatServerToken', 'TurnstileSecretKey', 'MessagePusherToken']) {
      expect(isSecretOption(k)).toBe(true);
    }
    expect(isSecretOption('GitHubClientId')).toBe(false);
    expect(isSecretOption('TurnstileSiteKey')).toBe(false);
    expect(isSecretOption('SomethingToken')).toBe(true);
    const keys = publicOptionEntries({ SMTPToken: 'x', Notice: 'hi' }).map((e) => e.key);
    expect(keys).not.toContain('SMTPToken');
    expect(keys).not.toContain('TurnstileSecretKey');
    expect(publicOptionEntries({ Notice: 'hi' }).find((e) => e.key === 'Notice')?.value).toBe('hi');
  });

  it('groups options like the One API settings pages', () => {
    expect(OPTION_DEFINITIONS.RetryTimes.group).toBe('operation');
    expect(OPTION_DEFINITIONS.ModelRatio.group).toBe('operation');
    expect(OPTION_DEFINITIONS.SMTPServer.group).toBe('system');
    expect(OPTION_DEFINITIONS.GitHubOAuthEnabled.group).toBe('system');
    expect(OPTION_DEFINITIONS.Notice.group).toBe('other');
    expect(OPTION_DEFINITIONS.SystemName.group).toBe('other');
  });

  it('has the rate-limit options (SPEC 11): operation ints, 0 = unlimited by default, never secret', () => {
    for (const key of ['TokenRequestsPerMinute', 'UserRequestsPerMinute', 'TokenTokensPerMinute'] as const) {
      const def = OPTION_DEFINITIONS[key];
      expect(def).toMatchObject({ kind: 'int', default: '0', group: 'operation', secret: false, min: 0 });
      expect(isSecretOption(key)).toBe(false);
      expect(validateOptionValue(key, '60')).toEqual({ ok: true, value: '60' });
      expect(validateOptionValue(key, '-1')).toMatchObject({ ok: false });
      expect(readOptions({})[key]).toBe(0);
      expect(readOptions({ [key]: '3' })[key]).toBe(3);
    }
  });
});

describe('validateOptionValue', () => {
  it('accepts and normalises good values', () => {
    expect(validateOptionValue('RegisterEnabled', true)).toEqual({ ok: true, value: 'true' });
    expect(validateOptionValue('RegisterEnabled', ' FALSE ')).toEqual({ ok: true, value: 'false' });
    expect(validateOptionValue('RetryTimes', '3')).toEqual({ ok: true, value: '3' });
    expect(validateOptionValue('QuotaForNewUser', 1000)).toEqual({ ok: true, value: '1000' });
    expect(validateOptionValue('ChannelDisableThreshold', '2.5')).toEqual({ ok: true, value: '2.5' });
    expect(validateOptionValue('SMTPPort', '465')).toEqual({ ok: true, value: '465' });
    expect(validateOptionValue('ServerAddress', 'https://api.example.com')).toEqual({ ok: true, value: 'https://api.example.com' });
    expect(validateOptionValue('ServerAddress', '')).toEqual({ ok: true, value: '' });
    expect(validateOptionValue('GroupRatio', '{ "default": 1, "vip": 0.8 }')).toEqual({ ok: true, value: '{"default":1,"vip":0.8}' });
    expect(validateOptionValue('EmailDomainWhitelist', ' Gmail.com, @qq.com ,,')).toEqual({ ok: true, value: 'gmail.com,qq.com' });
    expect(validateOptionValue('Notice', '  <b>hi</b>\n')).toEqual({ ok: true, value: '  <b>hi</b>\n' });
  });

  it.each([
    ['RegisterEnabled', 'yes', /true or false/],
    ['RetryTimes', '1.5', /integer/],
    ['RetryTimes', '-1', /between 0 and 10/],
    ['RetryTimes', '11', /between 0 and 10/],
    ['PreConsumedQuota', 'abc', /integer/],
    ['PreConsumedQuota', '-5', /at least 0/],
    ['QuotaPerUnit', '0', /at least 1/],
    ['ChannelDisableThreshold', 'NaN', /number/],
    ['SMTPPort', '70000', /between 1 and 65535/],
    ['ServerAddress', 'ftp://x', /http\(s\) URL/],
    ['ServerAddress', 'not a url', /http\(s\) URL/],
    ['ModelRatio', '{"gpt-4":-1}', /ModelRatio: .*negative/],
    ['ModelRatio', '{bad', /ModelRatio: invalid JSON/],
    ['EmailDomainWhitelist', 'gmail.com,not a domain', /not a domain/],
    ['NoSuchKey', 'x', /unknown option/],
  ])('rejects %s = %s', (key, value, message) => {
    const r = validateOptionValue(key, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('rejects non-scalar values', () => {
    expect(validateOptionValue('Notice', { a: 1 }).ok).toBe(false);
    expect(validateOptionValue('Notice', null).ok).toBe(false);
  });
});

describe('DisplayCurrency', () => {
  it('accepts only its choices, with a code the console translates', () => {
    expect(validateOptionValue('DisplayCurrency', ' CNY ')).toEqual({ ok: true, value: 'CNY' });
    expect(validateOptionValue('DisplayCurrency', 'EUR')).toEqual({ ok: false, message: 'DisplayCurrency must be one of USD, CNY', code: 'not_choice', params: { choices: 'USD, CNY' } });
    expect(validateOptionValue('USDExchangeRate', '0')).toMatchObject({ ok: false, code: 'out_of_range' });
    expect(validateOptionValue('USDExchangeRate', '7.1')).toEqual({ ok: true, value: '7.1' });
  });
});

describe('checkOptionGuard', () => {
  it('refuses to enable GitHub OAuth without a client id and secret', () => {
    expect(checkOptionGuard('GitHubOAuthEnabled', 'true', {})).toMatch(/GitHubClientId/);
    expect(checkOptionGuard('GitHubOAuthEnabled', 'true', { GitHubClientId: 'id' })).toMatch(/GitHubClientSecret/);
    expect(checkOptionGuard('GitHubOAuthEnabled', 'true', { GitHubClientId: 'id', GitHubClientSecret: 's' })).toBeNull();
    expect(checkOptionGuard('GitHubOAuthEnabled', 'false', {})).toBeNull();
  });
  it('refuses WeChat, domain restriction and Turnstile without their settings', () => {
    expect(checkOptionGuard('WeChatAuthEnabled', 'true', {})).toMatch(/WeChatServerAddress/);
    expect(checkOptionGuard('WeChatAuthEnabled', 'true', { WeChatServerAddress: 'http://wx' })).toBeNull();
    expect(checkOptionGuard('EmailDomainRestrictionEnabled', 'true', { EmailDomainWhitelist: ' ' })).toMatch(/EmailDomainWhitelist/);
    expect(checkOptionGuard('EmailDomainRestrictionEnabled', 'true', { EmailDomainWhitelist: 'a.com' })).toBeNull();
    expect(checkOptionGuard('TurnstileCheckEnabled', 'true', { TurnstileSecretKey: 's' })).toMatch(/TurnstileSiteKey/);
    expect(checkOptionGuard('TurnstileCheckEnabled', 'true', { TurnstileSiteKey: 'k', TurnstileSecretKey: 's' })).toBeNull();
  });
  it('ignores other keys', () => {
    expect(checkOptionGuard('RegisterEnabled', 'true', {})).toBeNull();
  });
});

describe('readOptions', () => {
  it('fills defaults and types values', () => {
    const o = readOptions({});
    expect(o.RetryTimes).toBe(0);
    expect(o.PreConsumedQuota).toBe(500);
    expect(o.QuotaPerUnit).toBe(500000);
    expect(o.DisplayInCurrencyEnabled).toBe(true);
    expect(o.AutomaticDisableChannelEnabled).toBe(false);
    expect(o.RefuseUnknownModel).toBe(false);
    expect(o.GroupRatio).toEqual({ default: 1, vip: 1, svip: 1 });
    expect(o.ModelRatio['gpt-4']).toBe(15);
    expect(o.EmailDomainWhitelist).toContain('gmail.com');
    expect(o.SystemName).toBe(DEFAULT_SYSTEM_NAME);
  });
  it('reads stored values and ignores invalid ones', () => {
    const o = readOptions({
      RetryTimes: '3',
      LogConsumeEnabled: 'false',
      GroupRatio: '{"default":1,"vip":0.5}',
      ModelRatio: 'not json',
      PreConsumedQuota: '-1',
      ChannelDisableThreshold: '2.5',
      EmailDomainWhitelist: 'a.com,b.org',
      Unrelated: 'x',
    });
    expect(o.RetryTimes).toBe(3);
    expect(o.LogConsumeEnabled).toBe(false);
    expect(o.GroupRatio).toEqual({ default: 1, vip: 0.5 });
    expect(o.ModelRatio['gpt-4o']).toBe(2.5);
    expect(o.PreConsumedQuota).toBe(500);
    expect(o.ChannelDisableThreshold).toBe(2.5);
    expect(o.EmailDomainWhitelist).toEqual(['a.com', 'b.org']);
    expect('Unrelated' in o).toBe(false);
  });
});
