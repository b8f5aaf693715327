import type { RequestContext, ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { UserNotFoundException } from '../errors.js';
import { usernameKey } from '../users/sign-in-names.js';
import { verifyToken, type VerifiedToken } from './tokens.js';

export interface Caller {
  pool: StoredUserPool;
  user: StoredUser;
  claims: VerifiedToken['claims'];
  /** The caller's context, in the region of the token's pool. */
  ctx: RequestContext;
}

/** The scope API-issued access tokens carry, and that self-service operations require. */
const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * Every operation that takes an access token: a valid signature from the pool's key, not expired, an
 * access token (not an ID token), the self-service scope, not revoked (RevokeToken, GlobalSignOut), and
 * a user that still exists and is enabled.
 */
export async function authenticateAccessToken(ctx: RequestContext, accessToken: string): Promise<Caller> {
  const { poolId, claims } = await verifyToken(ctx, accessToken, 'access');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(ADMIN_SCOPE)) throw new NotAuthorizedException('Access Token does not have required scopes');
  const pool = await ctx.repos.userPools.get(poolId);
  if (!pool) throw new NotAuthorizedException('Invalid Access Token');
  const user = await liveTokenUser(ctx, pool, claims);
  return { pool, user, claims, ctx: { ...ctx, region: pool.region } };
}

/**
 * The user a verified access token of `pool` speaks for (the self-service API, userInfo): its sign-in not
 * revoked (RevokeToken, GlobalSignOut), the user still there (the same sub) and enabled.
 */
export async function liveTokenUser(ctx: ServiceContext, pool: StoredUserPool, claims: VerifiedToken['claims']): Promise<StoredUser> {
  if (typeof claims.origin_jti !== 'string' || (await ctx.repos.refreshTokens.isOriginRevoked(pool.id, claims.origin_jti))) {
    throw new NotAuthorizedException('Access Token has been revoked');
  }
  const user = await ctx.repos.users.get(pool.id, usernameKey(pool, String(claims.username)));
  if (!user || user.sub !== claims.sub) throw new UserNotFoundException('User does not exist.');
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  return user;
}
