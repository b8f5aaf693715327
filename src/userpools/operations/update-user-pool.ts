import type { UpdateUserPoolRequest, UpdateUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { requireMfaFactor } from '../mfa/factors.js';
import { checkSettings, settableSettings } from '../user-pool-settings.js';

/**
 * Replaces the pool's settable settings, as Cognito does: anything left out returns to its default.
 * The schema, sign-in name options and tags (managed by TagResource) are kept unless given.
 */
export async function updateUserPool(ctx: RequestContext, input: UpdateUserPoolRequest): Promise<UpdateUserPoolResponse> {
  const updated = await ctx.repos.userPools.update(input.UserPoolId!, ctx.now(), (pool) => updatedPool(pool, input));
  if (!updated) throw new ResourceNotFoundException(`User pool ${input.UserPoolId} does not exist.`);
  return {};
}

/** The pool as UpdateUserPool leaves it; pure, so declared pools (bootstrap.ts) can tell whether anything changes. */
export function updatedPool(pool: StoredUserPool, input: UpdateUserPoolRequest): StoredUserPool {
  const { UserPoolId, PoolName, ...settable } = input;
  const current = pool.settings.userPool;
  checkSettings({ ...settable, AliasAttributes: current.AliasAttributes, UsernameAttributes: current.UsernameAttributes });
  const next = settableSettings({ ...settable, UserPoolTags: settable.UserPoolTags ?? current.UserPoolTags });
  const updated: StoredUserPool = {
    ...pool,
    name: PoolName ?? pool.name,
    settings: {
      ...pool.settings,
      userPool: {
        ...next,
        SchemaAttributes: current.SchemaAttributes,
        ...(current.AliasAttributes && { AliasAttributes: current.AliasAttributes }),
        ...(current.UsernameAttributes && { UsernameAttributes: current.UsernameAttributes }),
        ...(current.UsernameConfiguration && { UsernameConfiguration: current.UsernameConfiguration }),
      },
    },
  };
  requireMfaFactor(updated, 'pool');
  return updated;
}
