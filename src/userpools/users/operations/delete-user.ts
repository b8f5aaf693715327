import type { DeleteUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { authenticateAccessToken } from '../../auth/access-token.js';

/** The signed-in user deletes itself, with its tokens, aliases and memberships. */
export async function deleteUser(ctx: RequestContext, input: DeleteUserRequest): Promise<Record<string, never>> {
  const { pool, user } = await authenticateAccessToken(ctx, input.AccessToken!);
  await ctx.repos.users.delete(pool.id, user.usernameKey);
  return {};
}
