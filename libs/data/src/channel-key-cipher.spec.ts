import { createChannelKeyCipher, ENCRYPTED_CHANNEL_KEY_PREFIX } from './channel-key-cipher';

describe('createChannelKeyCipher', () => {
  const secret = 'a-long-enough-channel-secret';

  it('round-trips keys with a fresh IV each time', () => {
    const cipher = createChannelKeyCipher(secret);
    const a = cipher.encrypt('sk-upstream-key');
    const b = cipher.encrypt('sk-upstream-key');
    expect(a.startsWith(ENCRYPTED_CHANNEL_KEY_PREFIX)).toBe(true);
    expect(a).not.toContain('upstream');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a)).toBe('sk-upstream-key');
    expect(createChannelKeyCipher(secret).decrypt(b)).toBe('sk-upstream-key');
  });

  it('passes plaintext through (no secret, or keys stored before the secret was set)', () => {
    expect(createChannelKeyCipher(undefined).encrypt('plain')).toBe('plain');
    expect(createChannelKeyCipher(secret).decrypt('legacy-plain-key')).toBe('legacy-plain-key');
  });

  it('refuses to decrypt with a different or missing secret, and detects tampering', () => {
    const stored = createChannelKeyCipher(secret).encrypt('sk-x');
    expect(() => createChannelKeyCipher('another-secret-of-length').decrypt(stored)).toThrow(/CHANNEL_KEY_SECRET/);
    expect(() => createChannelKeyCipher(undefined).decrypt(stored)).toThrow(/not set/);
    const raw = Buffer.from(stored.slice(ENCRYPTED_CHANNEL_KEY_PREFIX.length), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => createChannelKeyCipher(secret).decrypt(ENCRYPTED_CHANNEL_KEY_PREFIX + raw.toString('base64'))).toThrow();
  });
});
