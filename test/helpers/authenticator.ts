import type { ICognitoStorage } from 'amazon-cognito-identity-js';
import { Secret, TOTP } from 'otpauth';

/** The code an authenticator app shows for `secret` (base32, as AssociateSoftwareToken gives it) at `time`. */
export function totpCode(secret: string, time = new Date()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: time.getTime() });
}

/** An in-memory Storage for amazon-cognito-identity-js, so a test sees (and can edit) what it caches. */
export function memoryStorage(): ICognitoStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    setItem: (key, value) => void items.set(key, value),
    getItem: (key) => items.get(key) ?? null,
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}
