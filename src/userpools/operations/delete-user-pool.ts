import type { DeleteUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import { requirePool } from '../pools.js';

/** Deletes the pool and everything in it (clients, and later users, groups, keys, tokens). */
export async function deleteUserPool(ctx: RequestContext, input: DeleteUserPoolRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (pool.settings.userPool.DeletionProtection === 'ACTIVE') {
    throw new InvalidParameterException(
      'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
    );
  }
  if (!(await ctx.repos.userPools.delete(pool.id))) throw new ResourceNotFoundException(`User pool ${pool.id} does not exist.`);
  ctx.keys.forget(pool.id);
  return {};
}
