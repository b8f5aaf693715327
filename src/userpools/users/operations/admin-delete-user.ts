import type { AdminDeleteUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { UserNotFoundException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../sign-in-names.js';

/** Deletes the user with its aliases, codes and group memberships. */
export async function adminDeleteUser(ctx: RequestContext, input: AdminDeleteUserRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  if (!(await ctx.repos.users.delete(pool.id, user.usernameKey))) throw new UserNotFoundException('User does not exist.');
  return {};
}
