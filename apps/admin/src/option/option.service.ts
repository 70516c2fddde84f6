import { Inject, Injectable } from '@nestjs/common';
import { checkOptionGuard, isOptionKey, optionDefaults, publicOptionEntries, validateOptionValue } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ApiError } from '../common/api-error';

export interface OptionView {
  key: string;
  value: string;
}

/**
 * Root's options through `@oneapi/domain`'s registry: list (secrets omitted) and typed, guarded
 * updates saved through the OptionsStore (every node sees them without restart).
 */
@Injectable()
export class OptionService {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  list(): OptionView[] {
    return publicOptionEntries(this.runtime.options.raw()).sort((a, b) => a.key.localeCompare(b.key));
  }

  async update(key: string, raw: unknown): Promise<void> {
    if (!isOptionKey(key)) throw ApiError.badRequest(`key: ${key} is not a known option`);
    const checked = validateOptionValue(key, raw);
    if (!checked.ok) throw ApiError.badRequest(checked.message);
    const refusal = checkOptionGuard(key, checked.value, { ...optionDefaults(), ...this.runtime.options.raw() });
    if (refusal) throw ApiError.badRequest(refusal);
    await this.runtime.options.set(key, checked.value);
  }
}
