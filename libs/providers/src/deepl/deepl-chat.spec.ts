import { DeepLAdapter } from './deepl.adapter';
import { deeplTargetLang, toDeepLRequest } from './deepl-chat';

describe('DeepL as chat', () => {
  it('reads the target language from the model name as One API does', () => {
    expect(deeplTargetLang('deepl-ja')).toBe('JA');
    expect(deeplTargetLang('deepl-en-us')).toBe('EN-US');
    expect(deeplTargetLang('deepl')).toBe('ZH');
    expect(toDeepLRequest({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, { requestModel: 'deepl-ja', upstreamModel: 'deepl-ja' })).toEqual({ text: ['b'], target_lang: 'JA' });
  });

  it('picks the host by the key when the channel has no base URL (free keys end in :fx)', () => {
    const a = new DeepLAdapter([]);
    expect(a.requestUrl({ id: 1, type: 38, key: 'abc:fx', config: {} }, 'chat', 'deepl-en')).toBe('https://api-free.deepl.com/v2/translate');
    expect(a.requestUrl({ id: 1, type: 38, key: 'abc', config: {} }, 'chat', 'deepl-en')).toBe('https://api.deepl.com/v2/translate');
    expect(a.requestHeaders({ id: 1, type: 38, key: 'abc', config: {} }, 'chat', {})).toMatchObject({ authorization: 'DeepL-Auth-Key abc' });
  });
});
