import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { encodeSegment } from '../security/jws.js';
import type { ProviderClaims } from './oauth-provider-client.js';

/** The audience of Apple's client secrets: Apple's own, wherever the configuration sends the token request. */
const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** How long a client secret made for one token request is good for (Apple accepts up to six months). */
const SECRET_SECONDS = 300;

/** The app's Sign in with Apple key (the .p8 file's PEM): an EC P-256 private key, or undefined. */
export function applePrivateKey(pem: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sign in with Apple has no fixed client secret: the app's key signs one (an ES256 JWT naming the team, the
 * key and the Services ID). The key is read once, here; the function returned makes a short-lived secret for
 * each token request.
 */
export function appleClientSecrets(details: Record<string, string>): (now: Date) => string {
  const key = applePrivateKey(details.private_key);
  if (!key) throw new Error('the private_key of SignInWithApple is not an EC P-256 private key');
  const header = encodeSegment({ alg: 'ES256', kid: details.key_id });
  return (now) => {
    const iat = Math.floor(now.getTime() / 1000);
    const input = `${header}.${encodeSegment({ iss: details.team_id, iat, exp: iat + SECRET_SECONDS, aud: APPLE_AUDIENCE, sub: details.client_id })}`;
    // JWS wants the raw r‖s signature (RFC 7518 §3.4), not DER. ECDSA P-256 takes tens of microseconds: no thread needed.
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  };
}

/**
 * The `user` Apple posts with its answer, the first time a person signs in to the app only: their name,
 * which is in no token. Its members become the claims Cognito's Apple attribute names are: firstName,
 * lastName, and name (both). Unsigned, so it never overrides a claim of the ID token.
 */
export function appleUserClaims(posted: string | undefined): ProviderClaims {
  if (!posted) return {};
  let user: unknown;
  try {
    user = JSON.parse(posted);
  } catch {
    return {};
  }
  const name = (user as { name?: { firstName?: unknown; lastName?: unknown } } | null)?.name;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const firstName = text(name?.firstName);
  const lastName = text(name?.lastName);
  const full = [firstName, lastName].filter((part) => part !== undefined).join(' ');
  return { ...(firstName && { firstName }), ...(lastName && { lastName }), ...(full && { name: full }) };
}
