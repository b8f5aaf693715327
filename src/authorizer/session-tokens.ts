/**
 * Opening Gatehouse session tokens (src/sts/session-credentials.ts) outside the server: with the secrets
 * key alone, and with the opened claims cached per token, since one client signs many requests with the
 * same credentials. Expiry is checked on every use, against the caller's clock.
 */
import type { ServiceContext } from '../context.js';
import { SecretBox } from '../security/secret-box.js';
import { openSessionToken, type SessionClaims, type SessionProblem } from '../sts/session-credentials.js';

export type { SessionClaims };

/** A token's claims, or why it does not open; `nowMs` is the caller's clock. */
export type SessionOpener = (token: string, nowMs: number) => SessionClaims | SessionProblem;

const DEFAULT_CACHE_SIZE = 4096;

export function sessionOpener(secrets: SecretBox | string, cacheSize = DEFAULT_CACHE_SIZE): SessionOpener {
  const box = typeof secrets === 'string' ? new SecretBox(secrets) : secrets;
  const cache = new Map<string, SessionClaims>();
  return (token, nowMs) => {
    let claims = cache.get(token);
    if (claims === undefined) {
      // openSessionToken reads only the secret box and the clock of the context it is given.
      const ctx: Pick<ServiceContext, 'secrets' | 'now'> = { secrets: box, now: () => new Date(nowMs) };
      const opened = openSessionToken(ctx as ServiceContext, token);
      if (typeof opened === 'string') return opened;
      claims = opened;
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(token, claims);
    }
    if (claims.expiresAt <= nowMs) {
      cache.delete(token);
      return 'expired';
    }
    return claims;
  };
}
