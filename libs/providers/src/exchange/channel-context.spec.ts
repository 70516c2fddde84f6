import { ChannelType } from '@oneapi/domain';
import { channelContextOf, channelModelsOf, modelMappingOf, type ChannelContextRow } from './channel-context';

const row = (over: Partial<ChannelContextRow> = {}): ChannelContextRow => ({ id: 3, type: ChannelType.OpenAI, key: 'sk-a', baseUrl: 'https://example.test', config: '', other: '', ...over });

describe('channelContextOf', () => {
  it('carries id, type, key and base URL; config values become strings', () => {
    expect(channelContextOf(row({ config: '{"api_version":"2024-10-21","region":null,"n":3,"flag":true,"nested":{"a":1}}' }))).toEqual({
      id: 3,
      type: ChannelType.OpenAI,
      key: 'sk-a',
      baseUrl: 'https://example.test',
      config: { api_version: '2024-10-21', n: '3', flag: 'true', nested: '{"a":1}' },
    });
  });

  it('a config that is not a JSON object is no config', () => {
    for (const config of ['', '   ', '{bad', '[1,2]', '"x"', 'null']) expect(channelContextOf(row({ config })).config).toEqual({});
  });

  it("Azure's legacy `other` column becomes api_version when the config has none; other types ignore it", () => {
    expect(channelContextOf(row({ type: ChannelType.Azure, other: ' 2023-05-15 ' })).config).toEqual({ api_version: '2023-05-15' });
    expect(channelContextOf(row({ type: ChannelType.Azure, other: '2023-05-15', config: '{"api_version":"2024-10-21"}' })).config).toEqual({ api_version: '2024-10-21' });
    expect(channelContextOf(row({ type: ChannelType.OpenAI, other: 'something-else' })).config).toEqual({});
    expect(channelContextOf(row({ type: ChannelType.Azure, other: null })).config).toEqual({});
  });

  it('decodes the key, and of several keys one per line (old data) uses the first', () => {
    expect(channelContextOf(row({ key: 'enc:sk-b' }), (k) => k.replace(/^enc:/, '')).key).toBe('sk-b');
    expect(channelContextOf(row({ key: ' sk-first \r\nsk-second\n' })).key).toBe('sk-first');
  });

  it('a key that cannot be decrypted throws what the decoder throws', () => {
    expect(() =>
      channelContextOf(row(), () => {
        throw new Error('channel key cannot be decrypted');
      }),
    ).toThrow('channel key cannot be decrypted');
  });
});

describe('modelMappingOf', () => {
  it('maps asked → sent, leaving out identities, blanks and non-strings', () => {
    expect([...modelMappingOf('{"gpt-4":"gpt-4-0613","same":"same","blank":" ","num":5,"pad":" gpt-4o "}')]).toEqual([
      ['gpt-4', 'gpt-4-0613'],
      ['pad', 'gpt-4o'],
    ]);
    expect(modelMappingOf('').size).toBe(0);
    expect(modelMappingOf('{oops').size).toBe(0);
  });
});

describe('channelModelsOf', () => {
  it('splits the comma list, trims and drops blanks', () => {
    expect(channelModelsOf(' gpt-4o, ,gpt-4o-mini,')).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(channelModelsOf('')).toEqual([]);
  });
});
