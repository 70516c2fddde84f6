import { CHANNEL_TYPES } from '@oneapi/domain';
import zh from '../messages/zh.json';
import { channelFieldText, channelTypeDescription, type RegistryTranslator } from './registry-text';

/** next-intl's lookup and `{value}` substitution over `channels.registry` of a message file. */
function translator(messages: unknown): RegistryTranslator {
  const lookup = (key: string): unknown => key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), messages);
  const t = ((key: string, values: Record<string, string> = {}) => String(lookup(key)).replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '')) as RegistryTranslator;
  t.has = (key: string) => typeof lookup(key) === 'string';
  return t;
}

const zhT = translator((zh as unknown as { channels: { registry: unknown } }).channels.registry);

describe('channel-type registry text in Chinese', () => {
  const types = CHANNEL_TYPES.filter((type) => type.implemented);

  it.each(types.map((type) => [type.id, type.name, type] as const))('type %i (%s): description, labels and hints are translated', (_id, _name, type) => {
    expect(channelTypeDescription(zhT, type)).not.toBe(type.description);
    for (const field of [...type.credentialFields, ...type.configFields]) {
      const text = channelFieldText(zhT, field);
      expect({ field: field.name, label: text.label }).not.toEqual({ field: field.name, label: field.label });
      if (field.hint) expect({ field: field.name, hint: text.hint }).not.toEqual({ field: field.name, hint: field.hint });
    }
  });

  it('keeps the variable part of a sentence (the default base URL)', () => {
    const openai = types.find((type) => type.id === 1);
    const baseUrl = openai?.credentialFields.find((f) => f.name === 'base_url');
    expect(baseUrl && channelFieldText(zhT, baseUrl).hint).toBe('可选；默认为 https://api.openai.com。');
  });
});
