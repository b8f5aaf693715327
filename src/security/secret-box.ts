import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';
import { secureRandomBytes } from './random-pool.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Enough for every client secret and the session tokens of the callers of a busy minute. */
const OPENED_KEPT = 2_000;

export interface OpenOptions {
  /** Keep the opened value for the next opening of the same text: for values opened on request after request. */
  remember?: boolean;
}

/**
 * Encrypts secrets at rest (client secrets, signing keys, TOTP seeds) with AES-256-GCM under a key derived
 * from the configured secrets key. Stored form: `v1.<iv>.<ciphertext+tag>`, base64url. The associated data
 * binds a ciphertext to its place (e.g. the client id), so a secret copied to another row does not decrypt.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;
  /**
   * Recent openings of values that callers open again and again, by context and sealed text (`remember`):
   * a confidential client's secret (token endpoint, SECRET_HASH), a caller's session token (authorizer,
   * STS). Opening one costs 3-10 µs (a cipher context each time), about a twentieth of a client_credentials
   * grant's own work (npm run bench -- client-credentials). Opening is deterministic, and only what
   * opened is kept, so a remembered answer is the one decryption would give. Values opened once (a
   * challenge, a continuation, a user's TOTP seed) are not kept: they would push the hot ones out and
   * leave their plaintext in memory for nothing.
   */
  private readonly opened = new BoundedMap<string, string>(OPENED_KEPT);

  constructor(secretsKey: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretsKey, 'gatehouse/secret-box', 'v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', secretsKey, 'gatehouse/mac', 'v1', 32));
  }

  /**
   * A keyed hash for values stored only as hashes (codes, refresh tokens). Keyed, because a six-digit
   * code hashed without a key is found by trying all million codes against a leaked database.
   */
  mac(value: string): string {
    return createHmac('sha256', this.macKey).update(value).digest('base64url');
  }

  encrypt(plaintext: string, context: string): string {
    const { iv, body } = this.seal(plaintext, context);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /**
   * The same seal as one base64url text, IV and ciphertext together: for sealed values that travel rather
   * than rest (session tokens), a quarter shorter than `encrypt`'s text once that is encoded again to be
   * sent (npm run bench -- get-credentials).
   */
  encryptCompact(plaintext: string, context: string): string {
    const { iv, body } = this.seal(plaintext, context);
    return Buffer.concat([iv, body]).toString('base64url');
  }

  decrypt(sealed: string, context: string, options: OpenOptions = {}): string {
    return this.remembered(options, 'stored', sealed, context, () => {
      const [version, iv, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !body) throw new Error('not a Gatehouse-sealed secret');
      return this.open(Buffer.from(iv, 'base64url'), Buffer.from(body, 'base64url'), context);
    });
  }

  decryptCompact(sealed: string, context: string, options: OpenOptions = {}): string {
    return this.remembered(options, 'compact', sealed, context, () => {
      const data = Buffer.from(sealed, 'base64url');
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('not a Gatehouse-sealed value');
      return this.open(data.subarray(0, IV_BYTES), data.subarray(IV_BYTES), context);
    });
  }

  /** By form too: a text opened in one form must not be taken as valid in the other. */
  private remembered(options: OpenOptions, form: 'stored' | 'compact', sealed: string, context: string, open: () => string): string {
    if (!options.remember) return open();
    const key = `${form}\u0000${context}\u0000${sealed}`;
    let plaintext = this.opened.get(key);
    if (plaintext === undefined) {
      plaintext = open();
      this.opened.set(key, plaintext);
    }
    return plaintext;
  }

  private seal(plaintext: string, context: string): { iv: Buffer; body: Buffer } {
    const iv = secureRandomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    return { iv, body: Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]) };
  }

  /** `body`: ciphertext then its 16-byte tag. */
  private open(iv: Buffer, body: Buffer, context: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
