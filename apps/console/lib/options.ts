/**
 * How the system-settings page renders One API's options (SPEC 8), grouped as One API's console
 * does (OperationSetting / SystemSetting / OtherSetting), derived from the option registry in
 * `@oneapi/domain`. Keys the API returns that the registry lacks still show, as text in "other".
 */
import { OPTION_DEFINITIONS, type OptionDefinition } from '@oneapi/domain';

export type OptionGroup = 'operation' | 'system' | 'other';
export type OptionKind = 'boolean' | 'number' | 'text' | 'secret' | 'json' | 'longtext';

export interface OptionSpec {
  group: OptionGroup;
  kind: OptionKind;
}

const spec = (group: OptionGroup, kind: OptionKind): OptionSpec => ({ group, kind });

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
  Object.values(OPTION_DEFINITIONS).map((d) => [d.key, spec(d.group, consoleKind(d))]),
);

/** Spec of a key; unknown keys are guessed from their name and value. */
export function optionSpec(key: string, value: string): OptionSpec {
  const known = OPTION_SPECS[key];
  if (known) return known;
  if (/Enabled$/.test(key) && (value === 'true' || value === 'false')) return spec('other', 'boolean');
  if (/(Secret|Token|Password)$/.test(key)) return spec('other', 'secret');
  return spec('other', value.length > 80 || value.includes('\n') ? 'longtext' : 'text');
}
