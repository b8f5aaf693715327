import type { GetUserRequest, GetUserResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { mfaSettingsOf, readUserMfa } from '../../mfa/factors.js';
import { toAttributeList } from '../attributes.js';

/** The signed-in user, with the attributes its app client may read, and its MFA settings. */
export async function getUser(ctx: RequestContext, input: GetUserRequest): Promise<GetUserResponse> {
  const { pool, user, claims } = await authenticateAccessToken(ctx, input.AccessToken!);
  const client = await ctx.repos.appClients.get(pool.id, String(claims.client_id));
  const readable = client?.settings.ReadAttributes;
  const names = Object.keys(user.attributes).filter((name) => name === 'sub' || !readable || readable.includes(name));
  return { Username: user.username, UserAttributes: toAttributeList(user.attributes, names), ...mfaSettingsOf(await readUserMfa(ctx, user)) };
}
