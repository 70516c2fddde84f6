import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

/**
 * Typed reads of the options the account features depend on, with One API's defaults
 * (common/config/config.go). Values come from the in-memory OptionsStore, so a change saved on
 * any node applies here within SYNC_FREQUENCY (at once on this node).
 */
@Injectable()
export class Settings {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  private raw(key: string): string | undefined {
    return this.runtime.options.raw()[key];
  }

  string(key: string, fallback = ''): string {
    return this.raw(key) ?? fallback;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    return v === undefined ? fallback : v === 'true';
  }

  int(key: string, fallback: number): number {
    const v = Number(this.raw(key));
    return this.raw(key) === undefined || !Number.isFinite(v) ? fallback : Math.trunc(v);
  }

  get systemName() {
    return this.string('SystemName', 'One API');
  }
  get serverAddress() {
    return this.string('ServerAddress', 'http://localhost:3000').replace(/\/+$/, '');
  }
  get registerEnabled() {
    return this.bool('RegisterEnabled', true);
  }
  get passwordLoginEnabled() {
    return this.bool('PasswordLoginEnabled', true);
  }
  get passwordRegisterEnabled() {
    return this.bool('PasswordRegisterEnabled', true);
  }
  get emailVerificationEnabled() {
    return this.bool('EmailVerificationEnabled', false);
  }
  get emailDomainRestrictionEnabled() {
    return this.bool('EmailDomainRestrictionEnabled', false);
  }
  get emailDomainWhitelist(): string[] {
    return this.string('EmailDomainWhitelist', 'gmail.com,163.com,126.com,qq.com,outlook.com,hotmail.com,icloud.com,yahoo.com,foxmail.com')
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
  }
  get githubOAuthEnabled() {
    return this.bool('GitHubOAuthEnabled', false);
  }
  get wechatAuthEnabled() {
    return this.bool('WeChatAuthEnabled', false);
  }
  get turnstileCheckEnabled() {
    return this.bool('TurnstileCheckEnabled', false);
  }
  get quotaForNewUser() {
    return this.int('QuotaForNewUser', 0);
  }
  get quotaForInviter() {
    return this.int('QuotaForInviter', 0);
  }
  get quotaForInvitee() {
    return this.int('QuotaForInvitee', 0);
  }
  get quotaPerUnit() {
    return Number(this.string('QuotaPerUnit', '500000')) || 500000;
  }
  get displayInCurrency() {
    return this.bool('DisplayInCurrencyEnabled', true);
  }

  /** One API's LogQuota: "$0.002000 quota" in currency mode, "1000 points of quota" otherwise. */
  formatQuota(quota: number): string {
    return this.displayInCurrency ? `$${(quota / this.quotaPerUnit).toFixed(6)} quota` : `${quota} points of quota`;
  }
}
