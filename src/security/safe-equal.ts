import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets-derived values are equal, in time that does not depend on where they differ (only
 * on their lengths, which are public: a MAC's, a signature's). Strings compare as their UTF-8 bytes.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
