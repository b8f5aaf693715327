import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredRefreshToken } from '../../storage/refresh-tokens-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { mintRefreshToken, mintTokens, refreshTokenHash } from './tokens.js';

/**
 * A refresh token that is live for this client, with its user; NotAuthorizedException otherwise. A token
 * of a sign-in from a device refreshes only with that device's DEVICE_KEY: "if a refresh token is used on
 * any other device, the call fails" (Cognito's device tracking announcement), and Cognito fails it without
 * any DEVICE_KEY too ("Invalid Refresh Token"). The key is no secret, but an app tested against Gatehouse
 * must meet the same answer it will meet at Cognito. Forgetting the device ends its refresh tokens
 * (DevicesRepository.forget).
 */
export async function liveRefreshToken(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  token: string,
  deviceKey?: string,
): Promise<{ stored: StoredRefreshToken; user: StoredUser }> {
  const stored = await ctx.repos.refreshTokens.get(pool.id, refreshTokenHash(ctx, token));
  const now = ctx.now().getTime();
  if (!stored || stored.clientId !== client.clientId) throw new NotAuthorizedException('Invalid Refresh Token');
  if (stored.deviceKey && deviceKey !== stored.deviceKey) throw new NotAuthorizedException('Invalid Refresh Token');
  if (stored.revokedAt) throw new NotAuthorizedException('Refresh Token has been revoked');
  if (stored.expiresAt.getTime() <= now) throw new NotAuthorizedException('Refresh Token has expired');
  if (stored.usableUntil && stored.usableUntil.getTime() <= now) throw new NotAuthorizedException('Invalid Refresh Token');
  const user = await ctx.repos.users.get(pool.id, stored.usernameKey);
  if (!user) throw new NotAuthorizedException('Invalid Refresh Token');
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'RESET_REQUIRED') throw new NotAuthorizedException('Password reset required for the user');
  return { stored, user };
}

/**
 * New ID and access tokens from a refresh token, keeping the sign-in's auth_time and origin_jti (no ID
 * token when `idToken` is false: an OAuth sign-in without openid). With `rotate`, the refresh token is
 * replaced too and the old one stops working after the client's grace period.
 */
export async function refreshSignIn(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  live: { stored: StoredRefreshToken; user: StoredUser },
  rotate: boolean,
  idToken = true,
): Promise<AuthenticationResultType> {
  const { stored, user } = live;
  // An OAuth sign-in keeps its scopes: its refresh must not gain aws.cognito.signin.user.admin.
  const signIn = {
    pool,
    client,
    user,
    authTime: stored.authTime,
    originJti: stored.originJti,
    ...(stored.deviceKey && { deviceKey: stored.deviceKey }),
    ...(stored.scopes && { scopes: stored.scopes }),
    source: 'RefreshTokens' as const,
  };
  const tokens = await mintTokens(ctx, signIn, idToken);
  if (!rotate) return { ...tokens, TokenType: 'Bearer' };
  const grace = client.settings.RefreshTokenRotation?.RetryGracePeriodSeconds ?? 0;
  await ctx.repos.refreshTokens.retire(pool.id, stored.tokenHash, new Date(ctx.now().getTime() + grace * 1000));
  return { ...tokens, RefreshToken: await mintRefreshToken(ctx, signIn, stored.expiresAt), TokenType: 'Bearer' };
}

/**
 * RevokeToken and POST /oauth2/revoke: revokes a refresh token and, through their origin_jti, the ID and
 * access tokens issued from it. An unknown token, or another client's, is revoked silently (RFC 7009
 * §2.2), so the answer reveals nothing about tokens. What refuses the request, each door answers in its
 * own error family: 'disabled' (the client's EnableTokenRevocation is off) or 'not-refresh' (a JWT:
 * Cognito revokes refresh tokens only).
 */
export async function revokeRefreshToken(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  token: string,
): Promise<'revoked' | 'disabled' | 'not-refresh'> {
  if (client.settings.EnableTokenRevocation === false) return 'disabled';
  if (token.split('.').length === 3) return 'not-refresh';
  const stored = await ctx.repos.refreshTokens.get(pool.id, refreshTokenHash(ctx, token));
  if (stored && stored.clientId === client.clientId) await ctx.repos.refreshTokens.revokeOrigin(pool.id, stored.originJti, ctx.now());
  return 'revoked';
}
