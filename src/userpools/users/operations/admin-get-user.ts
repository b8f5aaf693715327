import type { AdminGetUserRequest, AdminGetUserResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { mfaSettingsOf, readUserMfa } from '../../mfa/factors.js';
import { requirePool } from '../../pools.js';
import { toAttributeList } from '../attributes.js';
import { requireUser } from '../sign-in-names.js';

export async function adminGetUser(ctx: RequestContext, input: AdminGetUserRequest): Promise<AdminGetUserResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  return {
    Username: user.username,
    UserAttributes: toAttributeList(user.attributes),
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.updatedAt,
    Enabled: user.enabled,
    UserStatus: user.status as AdminGetUserResponse['UserStatus'],
    ...mfaSettingsOf(await readUserMfa(ctx, user)),
  };
}
