import type { AddCustomAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { addCustomAttributes as withCustomAttributes } from '../pool-schema.js';

export async function addCustomAttributes(ctx: RequestContext, input: AddCustomAttributesRequest): Promise<Record<string, never>> {
  const updated = await ctx.repos.userPools.update(input.UserPoolId!, ctx.now(), (pool) => ({
    ...pool,
    settings: {
      ...pool.settings,
      userPool: {
        ...pool.settings.userPool,
        SchemaAttributes: withCustomAttributes(pool.settings.userPool.SchemaAttributes ?? [], input.CustomAttributes!),
      },
    },
  }));
  if (!updated) throw new ResourceNotFoundException(`User pool ${input.UserPoolId} does not exist.`);
  return {};
}
