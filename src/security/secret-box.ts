import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { secureRandomBytes } from './random-pool.js';

/**
 * Encrypts secrets at rest (client secrets, signing keys, TOTP seeds) with AES-256-GCM under a key derived
 * from the configured secrets key. Stored form: `v1.<iv>.<ciphertext+tag>`, base64url. The associated data
 * binds a ciphertext to its place (e.g. the client id), so a secret copied to another row does not decrypt.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;

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
    const iv = secureRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  decrypt(sealed: string, context: string): string {
    const [version, iv, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !body) throw new Error('not a Gatehouse-sealed secret');
    const data = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  }
}
