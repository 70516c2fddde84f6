import { chatAppLink, DEFAULT_NEXTCHAT } from './chat-links';

const KEY = 'sk-abc123';
const SERVER = 'https://relay.example.com';

describe('chatAppLink (One API TokensTable.js formats)', () => {
  it('NextChat: the ChatLink (else app.nextchat.dev) with settings {key, url} in the hash', () => {
    const link = chatAppLink('next', KEY, SERVER, 'https://chat.example.com') ?? '';
    expect(link.startsWith('https://chat.example.com/#/?settings=')).toBe(true);
    expect(JSON.parse(decodeURIComponent(link.split('settings=')[1] ?? ''))).toEqual({ key: KEY, url: SERVER });
    expect(chatAppLink('next', KEY, SERVER, '')?.startsWith(`${DEFAULT_NEXTCHAT}/#/?settings=`)).toBe(true);
  });

  it('LobeChat: the ChatLink with keyVaults.openai {apiKey, baseURL …/v1}; none without a ChatLink', () => {
    const link = chatAppLink('lobechat', KEY, SERVER, 'https://lobe.example.com') ?? '';
    expect(link.startsWith('https://lobe.example.com/?settings=')).toBe(true);
    expect(JSON.parse(decodeURIComponent(link.split('settings=')[1] ?? ''))).toEqual({ keyVaults: { openai: { apiKey: KEY, baseURL: `${SERVER}/v1` } } });
    expect(chatAppLink('lobechat', KEY, SERVER, '')).toBeNull();
  });

  it('AMA and OpenCat: app URLs with the encoded server and the key', () => {
    expect(chatAppLink('ama', KEY, SERVER, '')).toBe('ama://set-api-key?server=https%3A%2F%2Frelay.example.com&key=sk-abc123');
    expect(chatAppLink('opencat', KEY, SERVER, '')).toBe('opencat://team/join?domain=https%3A%2F%2Frelay.example.com&token=sk-abc123');
  });
});
