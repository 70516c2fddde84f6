import { Inject, Injectable } from '@nestjs/common';
import { isOptionKey, optionDefaults, optionGuardRefusal, publicOptionEntries, validateOptionValue, type OptionErrorCode, type OptionErrorParams } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ApiError, ApiErrorCode } from '../common/api-error';

/** One refused option of a batch save. */
export interface OptionFieldError {
  key: string;
  code: OptionErrorCode;
  message: string;
  params?: OptionErrorParams;
}

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
    const refusal = optionGuardRefusal(key, checked.value, { ...optionDefaults(), ...this.runtime.options.raw() });
    if (refusal) throw ApiError.badRequest(refusal.message);
    await this.runtime.options.set(key, checked.value);
  }

  /**
   * Saves several options all-or-nothing: every value is validated, and the guards judged against
   * the options as they would be after the save, before anything is written; one refusal saves
   * nothing and answers 400 `invalid_options` with every refused key in `data.errors`.
   */
  async updateMany(entries: ReadonlyArray<{ key: string; value: unknown }>): Promise<void> {
    const errors: OptionFieldError[] = [];
    const values: Record<string, string> = {};
    for (const { key, value } of entries) {
      if (!isOptionKey(key)) {
        errors.push({ key, code: 'unknown_option', message: `${key} is not a known option` });
        continue;
      }
      const checked = validateOptionValue(key, value);
      if (checked.ok) values[key] = checked.value;
      else errors.push({ key, code: checked.code, message: checked.message, ...(checked.params ? { params: checked.params } : {}) });
    }
    const after = { ...optionDefaults(), ...this.runtime.options.raw(), ...values };
    for (const [key, value] of Object.entries(values)) {
      const refusal = optionGuardRefusal(key, value, after);
      if (refusal) errors.push({ key, code: 'requires_options', message: refusal.message, params: { keys: refusal.requires.join(', ') } });
    }
    if (errors.length) {
      const [first] = errors;
      const message = errors.length === 1 && first ? first.message : `${errors.length} options refused: ${errors.map((e) => e.key).join(', ')}`;
      throw new ApiError(ApiErrorCode.InvalidOptions, message, {}, { errors });
    }
    await this.runtime.options.setMany(values);
  }
}
