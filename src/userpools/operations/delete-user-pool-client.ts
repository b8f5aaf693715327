import type { DeleteUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { requirePool } from '../pools.js';

export async function deleteUserPoolClient(ctx: RequestContext, input: DeleteUserPoolClientRequest): Promise<Record<string, never>> {
  await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.appClients.delete(input.UserPoolId!, input.ClientId!))) {
    throw new ResourceNotFoundException(`User pool client ${input.ClientId} does not exist.`);
  }
  // Its hosted UI customization goes with it (the pool's, ALL, stays).
  await ctx.repos.uiCustomizations.delete(input.UserPoolId!, input.ClientId!);
  return {};
}
