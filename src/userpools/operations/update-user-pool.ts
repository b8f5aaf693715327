import type { UpdateUserPoolRequest, UpdateUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { checkSettings, settableSettings } from '../user-pool-settings.js';

/**
 * Replaces the pool's settable settings, as Cognito does: anything left out returns to its default.
 * The schema, sign-in name options and tags (managed by TagResource) are kept unless given.
 */
export async function updateUserPool(ctx: RequestContext, input: UpdateUserPoolRequest): Promise<UpdateUserPoolResponse> {
  const { UserPoolId, PoolName, ...settable } = input;
  const updated = await ctx.repos.userPools.update(UserPoolId!, ctx.now(), (pool) => {
    const current = pool.settings.userPool;
    checkSettings({ ...settable, AliasAttributes: current.AliasAttributes, UsernameAttributes: current.UsernameAttributes });
    const next = settableSettings({ ...settable, UserPoolTags: settable.UserPoolTags ?? current.UserPoolTags });
    return {
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
  });
  if (!updated) throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
  return {};
}
