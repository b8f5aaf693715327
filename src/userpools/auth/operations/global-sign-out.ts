import type { AdminUserGlobalSignOutRequest, GlobalSignOutRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { authenticateAccessToken } from '../access-token.js';

/** Signs the user out everywhere: every refresh token, and the access and ID tokens issued from them. */
export async function globalSignOut(ctx: RequestContext, input: GlobalSignOutRequest): Promise<Record<string, never>> {
  const { pool, user } = await authenticateAccessToken(ctx, input.AccessToken!);
  await ctx.repos.refreshTokens.revokeUser(pool.id, user.usernameKey, ctx.now());
  return {};
}

export async function adminUserGlobalSignOut(ctx: RequestContext, input: AdminUserGlobalSignOutRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await ctx.repos.refreshTokens.revokeUser(pool.id, user.usernameKey, ctx.now());
  return {};
}
