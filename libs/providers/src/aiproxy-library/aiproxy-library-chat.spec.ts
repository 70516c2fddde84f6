import { ChannelConfigError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertLibraryStreamEvent, fromLibraryResponse, libraryIdOf, toLibraryRequest } from './aiproxy-library-chat';

const ctx = { requestModel: 'm', upstreamModel: 'gpt-4o-mini' };
const docs = [{ title: 'Guide', url: 'https://d/g' }];

describe('AIProxy Library', () => {
  it('asks the last message of the conversation in the channel’s library', () => {
    expect(toLibraryRequest({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b?' }], stream: true }, ctx, 'lib1')).toEqual({ model: 'gpt-4o-mini', query: 'b?', libraryId: 'lib1', stream: true });
    expect(() => libraryIdOf({ id: 1, type: 21, key: 'k', config: {} })).toThrow(ChannelConfigError);
  });

  it('appends the sources to the answer as One API does, and refuses error codes by meaning', () => {
    expect(fromLibraryResponse({ success: true, answer: 'ok', documents: docs }, ctx).body).toMatchObject({ choices: [{ message: { content: 'ok\n\n参考文档：\n1. [Guide](https://d/g)\n' } }] });
    expect(() => fromLibraryResponse({ success: false, errCode: 401, message: 'bad key' }, ctx)).toThrow(expect.objectContaining({ status: 401 }) as unknown as Error);
  });

  it('streams content, then the sources and the finish at `finish`', () => {
    const state = newStreamState(ctx);
    convertLibraryStreamEvent({ data: JSON.stringify({ content: 'x', finish: false }) }, state);
    const end = convertLibraryStreamEvent({ data: JSON.stringify({ content: '', finish: true, documents: docs }) }, state);
    expect(end.done).toBe(true);
    expect(end.chunks.map((c) => (c as { choices: { delta: { content?: string }; finish_reason: string | null }[] }).choices[0])).toMatchObject([{ delta: { content: '\n\n参考文档：\n1. [Guide](https://d/g)\n' } }, { finish_reason: 'stop' }]);
  });
});
