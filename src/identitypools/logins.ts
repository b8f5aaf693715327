import type { ServiceContext } from '../context.js';
import { IncorrectAudience, oidcProviderArn, verifyOidcToken } from '../iam/oidc-providers.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import type { StoredIdentityPool } from '../storage/identity-pools-repository.js';
import { verifyToken } from '../userpools/auth/tokens.js';
import { usernameKey } from '../userpools/users/sign-in-names.js';
import { userPoolIdOfProvider } from './identity-pools.js';
import { verifyOpenIdToken } from './openid-token.js';

/** The key developer-authenticated apps pass their OpenID token under, as with Cognito. */
export const DEVELOPER_LOGIN_KEY = 'cognito-identity.amazonaws.com';

/** A login whose token checked out: which provider (as the pool names it), and who at that provider. */
export interface VerifiedLogin {
  provider: string;
  subject: string;
  /** What the OpenID token's `amr` says of this login. */
  amr: string[];
  /** Claims of the provider's token, for role mapping. */
  claims: Record<string, unknown>;
  /** Set for a developer-authenticated login: the identity its token was issued for. */
  identityId?: string;
}

function unsupported(key: string): NotAuthorizedException {
  return new NotAuthorizedException(`Token is not from a supported provider of this identity pool: ${key}`);
}

/**
 * Checks every login before anything is trusted: a user pool ID token by the pool's key, issuer, expiry
 * and (when the provider names one) client id, plus revocation and the user's state when the provider
 * asks for ServerSideTokenCheck; a developer login by our own OpenID token's signature and audience; a
 * login of a listed IAM OIDC provider by that provider's keys, issuer, client ids and expiry.
 */
export async function verifyLogins(ctx: ServiceContext, pool: StoredIdentityPool, logins: Record<string, string> = {}): Promise<VerifiedLogin[]> {
  const verified: VerifiedLogin[] = [];
  for (const [key, token] of Object.entries(logins)) {
    if (key === DEVELOPER_LOGIN_KEY) {
      const claims = await verifyOpenIdToken(ctx, token);
      if (claims.aud !== pool.id || typeof claims.sub !== 'string') throw new NotAuthorizedException('Invalid login token. The token is for another identity pool.');
      // Only a token that says someone signed in proves a sign-in: an unauthenticated identity's own
      // GetOpenIdToken token must not make it authenticated. And its identity must still be there.
      if (!claims.amr?.includes('authenticated')) throw new NotAuthorizedException('Invalid login token. The token is not for an authenticated identity.');
      if ((await ctx.repos.identities.get(claims.sub))?.poolId !== pool.id) throw new NotAuthorizedException('Invalid login token. The identity no longer exists.');
      verified.push({ provider: key, subject: claims.sub, amr: claims.amr, claims, identityId: claims.sub });
      continue;
    }
    const userPoolId = userPoolIdOfProvider(key);
    // A user pool may be listed more than once, with different app clients: the token's client picks the entry.
    const entries = (pool.settings.pool.CognitoIdentityProviders ?? []).filter((p) => userPoolIdOfProvider(p.ProviderName ?? '') === userPoolId);
    if (!userPoolId || entries.length === 0) {
      // Not a user pool the pool lists: an IAM OIDC provider it lists, keyed by its URL without scheme.
      verified.push(await verifyOidcLogin(ctx, pool, key, token));
      continue;
    }
    const { poolId, claims } = await verifyToken(ctx, token, 'id').catch(() => {
      throw new NotAuthorizedException('Invalid login token. Not a valid OpenId Connect identity token.');
    });
    if (poolId !== userPoolId) throw new NotAuthorizedException('Invalid login token. Issuer does not match the provider.');
    const provider = entries.find((p) => !p.ClientId || p.ClientId === claims.aud);
    if (!provider) throw new IncorrectAudience();
    if (provider.ServerSideTokenCheck) await checkServerSide(ctx, userPoolId, claims);
    const name = provider.ProviderName!;
    verified.push({ provider: name, subject: String(claims.sub), amr: ['authenticated', name, `${name}:CognitoSignIn:${String(claims.sub)}`], claims });
  }
  return verified;
}

/**
 * A login of an IAM OpenID Connect provider the pool lists (OpenIdConnectProviderARNs): its token is
 * verified against the provider's keys, issuer and client ids. `amr` as Cognito writes it for OIDC
 * providers: the provider, and `<provider>:<aud>:<sub>`.
 */
async function verifyOidcLogin(ctx: ServiceContext, pool: StoredIdentityPool, key: string, token: string): Promise<VerifiedLogin> {
  const arn = oidcProviderArn(ctx.config.accountId, key);
  if (!(pool.settings.pool.OpenIdConnectProviderARNs ?? []).includes(arn)) throw unsupported(key);
  const provider = await ctx.repos.oidcProviders.get(key);
  if (!provider) throw unsupported(key);
  const { claims, audience } = await verifyOidcToken(ctx, provider, token);
  return { provider: key, subject: claims.sub, amr: ['authenticated', key, `${key}:${audience}:${claims.sub}`], claims };
}

/** ServerSideTokenCheck: the sign-in was not revoked and the user still exists and is enabled. */
async function checkServerSide(ctx: ServiceContext, userPoolId: string, claims: Record<string, unknown>): Promise<void> {
  const userPool = await ctx.repos.userPools.get(userPoolId);
  const revoked = typeof claims.origin_jti !== 'string' || (await ctx.repos.refreshTokens.isOriginRevoked(userPoolId, claims.origin_jti));
  const user = userPool && (await ctx.repos.users.get(userPoolId, usernameKey(userPool, String(claims['cognito:username']))));
  if (revoked || !user || !user.enabled) throw new NotAuthorizedException('Invalid login token. Token has been revoked or the user is not active.');
}

/** `amr` of an identity's OpenID token: what signed it in, or unauthenticated. */
export function amrOf(logins: VerifiedLogin[]): string[] {
  if (logins.length === 0) return ['unauthenticated'];
  return ['authenticated', ...logins.flatMap((l) => l.amr.filter((a) => a !== 'authenticated'))];
}
