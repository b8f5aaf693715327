import { createHash } from 'node:crypto';
import { safeEqual } from '../security/safe-equal.js';
import { InvalidGrant, InvalidRequest } from './oauth-errors.js';

/** RFC 7636 §4.2: an S256 challenge is the base64url SHA-256 of the verifier, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * The PKCE part of an authorization request. Only S256 is accepted (Cognito's rule; `plain` protects
 * nothing). A client without a secret must use it: its code is otherwise usable by whoever intercepts it.
 */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined, required: boolean): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without a code_challenge.');
    if (required) throw new InvalidRequest('A client without a secret must send a PKCE code_challenge (code_challenge_method S256).');
    return undefined;
  }
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256.');
  if (!S256_CHALLENGE.test(challenge)) throw new InvalidRequest('code_challenge is not an S256 challenge (43 base64url characters).');
  return challenge;
}

/** At the token endpoint: the verifier must hash to the challenge the code was issued with. */
export function verifyCodeVerifier(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    // A verifier for a code issued without a challenge is a downgrade attempt or a confused client.
    if (verifier !== undefined) throw new InvalidGrant('The authorization request had no code_challenge, so no code_verifier is expected.');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request had a code_challenge.');
  if (!VERIFIER.test(verifier)) throw new InvalidGrant('code_verifier is not 43-128 unreserved characters.');
  if (!safeEqual(challenge, createHash('sha256').update(verifier).digest('base64url'))) throw new InvalidGrant('The code_verifier does not match the code_challenge.');
}
