import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { ServiceContext } from '../context.js';
import { NotAuthorizedException } from '../protocol/errors.js';

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
  const { kid, key } = await ctx.keys.signingKey(IDENTITY_KEYS);
  const iat = Math.floor(ctx.now().getTime() / 1000);
  return new SignJWT({ ...claims.extra, amr: claims.amr })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWS' })
    .setIssuer(identityIssuer(ctx))
    .setSubject(claims.identityId)
    .setAudience(claims.identityPoolId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.seconds)
    .sign(key);
}

/** Verifies one of our OpenID tokens (a developer-authenticated login, or STS's WebIdentityToken). */
export async function verifyOpenIdToken(ctx: ServiceContext, token: string): Promise<JWTPayload & { amr?: string[] }> {
  try {
    const { kid } = decodeProtectedHeader(token);
    const key = kid ? await ctx.keys.verificationKey(IDENTITY_KEYS, kid) : undefined;
    if (!key) throw new Error('unknown key');
    const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], issuer: identityIssuer(ctx), currentDate: ctx.now() });
    return payload;
  } catch (error) {
    // jose checks the signature before the claims: an expired token is a genuine one (STS answers it apart).
    if (error instanceof joseErrors.JWTExpired) throw new NotAuthorizedException('Invalid login token. The OpenID token has expired.');
    throw new NotAuthorizedException('Invalid login token. The OpenID token is not valid.');
  }
}
