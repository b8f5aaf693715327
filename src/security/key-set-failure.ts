import { errors as joseErrors } from 'jose';

/**
 * Whether jose's remote key set failed to be had — a timeout, a network error (fetch's TypeError), an
 * answer that is not 200 or not JSON (its generic JOSEError, which jose throws for nothing else), or
 * JSON that is not a key set — rather than the token failing against keys that were had. The first is
 * the verifier's trouble (unavailable), the second the caller's (invalid token).
 */
export function isKeySetFailure(error: unknown): boolean {
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC') ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}
