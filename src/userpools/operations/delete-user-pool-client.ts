import type { DeleteUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { requirePool } from '../pools.js';

export async function deleteUserPoolClient(ctx: RequestContext, input: DeleteUserPoolClientRequest): Promise<Record<string, never>> {
  await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.appClients.delete(input.UserPoolId!, input.ClientId!))) {
    throw new ResourceNotFoundException(`User pool client ${input.ClientId} does not exist.`);
  }
  // Its hosted UI customization (the pool's, ALL, stays) and its terms documents go with it.
  await ctx.repos.uiCustomizations.delete(input.UserPoolId!, input.ClientId!);
  await ctx.repos.terms.deleteOfClient(input.UserPoolId!, input.ClientId!);
  return {};
}
