import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ApiError } from '../common/api-error';
import { isKnownOption, isSecretOption, normaliseOptionValue, optionDefaults, optionGuard } from './option-rules';

export interface OptionView {
  key: string;
  value: string;
}

/** Root's options: list (secrets omitted) and typed, guarded updates saved through the OptionsStore. */
@Injectable()
export class OptionService {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  private current(): Record<string, string> {
    return { ...optionDefaults(), ...this.runtime.options.raw() };
  }

  list(): OptionView[] {
    return Object.entries(this.current())
      .filter(([key]) => !isSecretOption(key))
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async update(key: string, raw: unknown): Promise<void> {
    if (!isKnownOption(key)) throw ApiError.badRequest(`key: ${key} is not a known option`);
    const normalised = normaliseOptionValue(key, raw);
    if ('error' in normalised) throw ApiError.badRequest(normalised.error);
    const refusal = optionGuard(key, normalised.value, this.current());
    if (refusal) throw ApiError.badRequest(refusal);
    await this.runtime.options.set(key, normalised.value);
  }
}
