import type { AdminDisableUserRequest, AdminEnableUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext, ServiceContext } from '../../../context.js';
import type { StoredUser } from '../../../storage/users-repository.js';
import type { StoredUserPool } from '../../../storage/user-pools-repository.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';

async function setEnabled(ctx: RequestContext, poolId: string, name: string, enabled: boolean): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, poolId);
  await setUserEnabled(ctx, pool, await requireUser(ctx, pool, name), enabled);
  return {};
}

/** Enables or disables the user; disabling revokes what it signed in with (below). */
export async function setUserEnabled(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, enabled: boolean): Promise<void> {
  await updateUser(ctx, pool, user, (u) => ({ ...u, enabled }));
  // After the flag, so no sign-in can start in between (one already past its user check may still finish
  // and store a refresh token, refused while the user stays disabled). What is revoked stays revoked when
  // the user is enabled again: tokens taken from a device the user lost do not come back with the account.
  if (!enabled) await ctx.repos.refreshTokens.revokeUser(pool.id, user.usernameKey, ctx.now());
}

/**
 * A disabled user cannot sign in, and its sign-ins end, as Cognito's "deactivates a user profile and
 * revokes all access tokens for the user": refresh tokens, the access and ID tokens issued from them, and
 * hosted-UI sessions, as AdminUserGlobalSignOut ends them.
 */
export function adminDisableUser(ctx: RequestContext, input: AdminDisableUserRequest): Promise<Record<string, never>> {
  return setEnabled(ctx, input.UserPoolId!, input.Username!, false);
}

export function adminEnableUser(ctx: RequestContext, input: AdminEnableUserRequest): Promise<Record<string, never>> {
  return setEnabled(ctx, input.UserPoolId!, input.Username!, true);
}
