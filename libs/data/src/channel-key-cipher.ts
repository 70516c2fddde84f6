import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Prefix of an encrypted channel key as stored in `channels.key`. */
export const ENCRYPTED_CHANNEL_KEY_PREFIX = 'enc:v1:';

/**
 * Encrypts channel keys at rest (AES-256-GCM) when CHANNEL_KEY_SECRET is set.
 *
 * Admin encrypts on write; relay and worker MUST read keys through `decrypt` of a cipher built
 * from the same secret. Values without the `enc:v1:` prefix are plaintext (written before the
 * secret was set, or imported from One API) and are returned unchanged, so turning the secret on
 * needs no migration: keys are encrypted as channels are next saved.
 */
export interface ChannelKeyCipher {
  /** True when a secret is configured (new keys are stored encrypted). */
  readonly enabled: boolean;
  encrypt(plain: string): string;
  /** Throws when the value is encrypted but the secret is missing or wrong. */
  decrypt(stored: string): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Builds the cipher for CHANNEL_KEY_SECRET (`config.env.CHANNEL_KEY_SECRET`); undefined = store plaintext. */
export function createChannelKeyCipher(secret: string | undefined): ChannelKeyCipher {
  const key = secret ? Buffer.from(hkdfSync('sha256', secret, 'oneapi-channel-key', 'aes-256-gcm', 32)) : undefined;
  return {
    enabled: key !== undefined,
    encrypt(plain: string): string {
      if (!key) return plain;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ENCRYPTED_CHANNEL_KEY_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decrypt(stored: string): string {
      if (!stored.startsWith(ENCRYPTED_CHANNEL_KEY_PREFIX)) return stored;
      if (!key) throw new Error('channel key is encrypted but CHANNEL_KEY_SECRET is not set');
      const raw = Buffer.from(stored.slice(ENCRYPTED_CHANNEL_KEY_PREFIX.length), 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('channel key ciphertext is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('channel key cannot be decrypted: CHANNEL_KEY_SECRET differs from the one it was stored with');
      }
    },
  };
}
