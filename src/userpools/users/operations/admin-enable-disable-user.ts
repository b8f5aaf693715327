import type { AdminDisableUserRequest, AdminEnableUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';

async function setEnabled(ctx: RequestContext, poolId: string, name: string, enabled: boolean): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, poolId);
  const user = await requireUser(ctx, pool, name);
  await updateUser(ctx, pool, user, (u) => ({ ...u, enabled }));
  return {};
}

/** A disabled user cannot sign in; sign-in (and token revocation) reads this flag. */
export function adminDisableUser(ctx: RequestContext, input: AdminDisableUserRequest): Promise<Record<string, never>> {
  return setEnabled(ctx, input.UserPoolId!, input.Username!, false);
}

export function adminEnableUser(ctx: RequestContext, input: AdminEnableUserRequest): Promise<Record<string, never>> {
  return setEnabled(ctx, input.UserPoolId!, input.Username!, true);
}
