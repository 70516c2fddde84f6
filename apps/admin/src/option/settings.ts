import { Inject, Injectable } from '@nestjs/common';
import { formatQuota, readOptions, type Options } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

/**
 * The typed options (`@oneapi/domain`'s readOptions, defaults filled in) as the admin features
 * read them. Values come from the in-memory OptionsStore, so a change saved on any node applies
 * here within SYNC_FREQUENCY (at once on this node); the typed view is rebuilt per revision.
 */
@Injectable()
export class Settings {
  private cache: { revision: number; options: Options } | undefined;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  get options(): Options {
    const store = this.runtime.options;
    if (this.cache?.revision !== store.revision) this.cache = { revision: store.revision, options: readOptions(store.raw()) };
    return this.cache.options;
  }

  /** `ServerAddress` without a trailing slash (e-mail links). */
  get serverAddress(): string {
    return this.options.ServerAddress.replace(/\/+$/, '');
  }

  /** One API's LogQuota for log lines: "$0.002000 quota" in currency mode, "1000 quota" otherwise. */
  formatQuota(quota: number): string {
    const o = this.options;
    return `${formatQuota(quota, { displayInCurrency: o.DisplayInCurrencyEnabled, perUnit: o.QuotaPerUnit })} quota`;
  }
}
