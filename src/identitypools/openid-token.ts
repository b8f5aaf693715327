import type { ServiceContext } from '../context.js';
import { ExpiredTokenError, NotAuthorizedException } from '../protocol/errors.js';
import { decodeJws, JwsExpiredError, type JwsClaims } from '../security/jws.js';

/** The key set and issuer path of the OpenID tokens identity pools issue (Cognito's is cognito-identity.amazonaws.com). */
export const IDENTITY_KEYS = 'cognito-identity';

export function identityIssuer(ctx: ServiceContext): string {
  return `${ctx.publicUrl()}/${IDENTITY_KEYS}`;
}

export interface OpenIdTokenClaims {
  identityId: string;
  identityPoolId: string;
  /** `["unauthenticated"]`, or `["authenticated", provider, "<provider>:…:<user>"…]`. */
  amr: string[];
  seconds: number;
  extra?: Record<string, unknown>;
}

/** An OpenID Connect token for an identity: what GetOpenIdToken returns and STS exchanges for credentials. */
export async function issueOpenIdToken(ctx: ServiceContext, claims: OpenIdTokenClaims): Promise<string> {
  const iat = Math.floor(ctx.now().getTime() / 1000);
  return ctx.keys.sign(
    IDENTITY_KEYS,
    { ...claims.extra, amr: claims.amr, iss: identityIssuer(ctx), sub: claims.identityId, aud: claims.identityPoolId, iat, exp: iat + claims.seconds },
    'JWS',
  );
}

/** GetOpenIdToken's tokens live ten minutes, as Cognito's do. */
const OPENID_TOKEN_SECONDS = 600;

/**
 * The token GetOpenIdToken gives an identity (`amr` from its logins): what the classic flow's client hands
 * to STS, and what GetCredentialsForIdentity hands to an external STS.
 */
export function identityOpenIdToken(ctx: ServiceContext, identityPoolId: string, identityId: string, amr: string[]): Promise<string> {
  return issueOpenIdToken(ctx, { identityId, identityPoolId, amr, seconds: OPENID_TOKEN_SECONDS });
}

/** Verifies one of our OpenID tokens (a developer-authenticated login, or STS's WebIdentityToken). */
export async function verifyOpenIdToken(ctx: ServiceContext, token: string): Promise<JwsClaims & { amr?: string[] }> {
  try {
    return await ctx.keys.verify(IDENTITY_KEYS, decodeJws(token), identityIssuer(ctx));
  } catch (error) {
    // The signature is checked before the claims: an expired token is a genuine one (STS answers it apart).
    if (error instanceof JwsExpiredError) throw new ExpiredTokenError('Invalid login token. The OpenID token has expired.');
    throw new NotAuthorizedException('Invalid login token. The OpenID token is not valid.');
  }
}
