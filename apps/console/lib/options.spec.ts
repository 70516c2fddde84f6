import { OPTION_DEFINITIONS, OPTION_KEYS, validateOptionValue } from '@oneapi/domain';
import en from '../messages/en.json';
import zh from '../messages/zh.json';
import { OPTION_SECTIONS, OPTION_SPECS, optionSections } from './options';

const catalogs = { en, zh } as const;

describe('settings page options', () => {
  it('puts every option of the registry in a section of its own tab, once', () => {
    const placed = Object.entries(OPTION_SECTIONS).flatMap(([group, sections]) => (Object.values(sections) as (readonly string[])[]).flatMap((keys) => keys.map((key) => ({ key, group }))));
    expect(placed.map((p) => p.key).sort()).toEqual([...OPTION_KEYS].sort());
    for (const { key, group } of placed) expect({ key, group: OPTION_DEFINITIONS[key as keyof typeof OPTION_DEFINITIONS].group }).toEqual({ key, group });
    for (const group of ['operation', 'system', 'other'] as const) expect(optionSections(group).map(([section]) => section)).not.toContain('more');
  });

  it.each(Object.keys(catalogs) as (keyof typeof catalogs)[])('has a %s label and help text for every option, and a title and help for every section', (lang) => {
    const system = catalogs[lang].system as unknown as {
      labels: Record<string, string>;
      help: Record<string, string>;
      sections: Record<string, { title: string; help: string }>;
      choices: Record<string, string>;
    };
    for (const key of OPTION_KEYS) {
      expect({ key, label: typeof system.labels[key] }).toEqual({ key, label: 'string' });
      expect({ key, help: typeof system.help[key] }).toEqual({ key, help: 'string' });
      for (const choice of OPTION_SPECS[key]?.choices ?? []) expect({ key, choice, text: typeof system.choices[choice] }).toEqual({ key, choice, text: 'string' });
    }
    for (const section of [...Object.values(OPTION_SECTIONS).flatMap((s) => Object.keys(s)), 'more']) {
      expect({ section, title: typeof system.sections[section]?.title, help: typeof system.sections[section]?.help }).toEqual({ section, title: 'string', help: 'string' });
    }
  });

  it('translates every reason the registry gives for refusing a value', () => {
    const codes = new Set<string>(['requires_options', 'unknown_option', 'below_min']);
    const samples: [string, unknown][] = [
      ['RegisterEnabled', 'yes'], ['SMTPPort', 'x'], ['USDExchangeRate', 'x'], ['SMTPPort', 0], ['Logo', 'ftp://x'],
      ['ModelRatio', '{'], ['EmailDomainWhitelist', 'not a domain'], ['DisplayCurrency', 'EUR'], ['SystemName', { a: 1 }],
    ];
    for (const [key, value] of samples) {
      const checked = validateOptionValue(key, value);
      if (!checked.ok) codes.add(checked.code);
    }
    expect(codes.size).toBe(12);
    for (const lang of ['en', 'zh'] as const) {
      const errors = (catalogs[lang].system as unknown as { errors: Record<string, string> }).errors;
      for (const code of codes) expect({ code, text: typeof errors[code] }).toEqual({ code, text: 'string' });
    }
  });
});
