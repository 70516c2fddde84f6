import type { ChannelJobRow } from '@oneapi/data';
import { ChannelType } from '@oneapi/domain';
import { channelContextOf } from '@oneapi/providers';
import { mapModel, pickTestModel } from './channel-context';

const row = (over: Partial<ChannelJobRow> = {}): ChannelJobRow => ({
  id: 4,
  type: ChannelType.Azure,
  name: 'az',
  key: 'stored',
  status: 1,
  baseUrl: 'https://example.test',
  models: ' gpt-4o-mini , gpt-4o',
  modelMapping: '{"gpt-4o-mini":" fake-model ","same":"same"}',
  config: '',
  other: '2023-05-15',
  ...over,
});

describe('channel context of a job row', () => {
  it('is the providers builder with the job context’s key decoder', () => {
    expect(channelContextOf(row(), (k) => `${k}-decoded`)).toEqual({
      id: 4,
      type: ChannelType.Azure,
      key: 'stored-decoded',
      baseUrl: 'https://example.test',
      config: { api_version: '2023-05-15' },
    });
    expect(channelContextOf(row()).key).toBe('stored');
  });

  it('pickTestModel: the requested model, else the channel’s first, else the adapter’s first default', () => {
    expect(pickTestModel(row(), ' gpt-4o ', ['d'])).toBe('gpt-4o');
    expect(pickTestModel(row(), undefined, ['d'])).toBe('gpt-4o-mini');
    expect(pickTestModel(row({ models: ' , ' }), '', ['d'])).toBe('d');
    expect(pickTestModel(row({ models: '' }), undefined, [])).toBe('gpt-3.5-turbo');
  });

  it('mapModel applies the channel’s model mapping', () => {
    expect(mapModel(row(), 'gpt-4o-mini')).toBe('fake-model');
    expect(mapModel(row(), 'gpt-4o')).toBe('gpt-4o');
    expect(mapModel(row({ modelMapping: '{broken' }), 'gpt-4o-mini')).toBe('gpt-4o-mini');
  });
});
