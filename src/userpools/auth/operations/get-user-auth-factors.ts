import type { GetUserAuthFactorsRequest, GetUserAuthFactorsResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext, ServiceContext } from '../../../context.js';
import type { StoredUser } from '../../../storage/users-repository.js';
import type { StoredUserPool } from '../../../storage/user-pools-repository.js';
import { mfaSettingsOf, readUserMfa } from '../../mfa/factors.js';
import { authenticateAccessToken } from '../access-token.js';
import { configuredAuthFactors } from '../choice-sign-in.js';

/** The user's MFA settings (as GetUser shows them) and the factors they can sign in with: GetUserAuthFactors' and AdminGetUserAuthFactors' answer. */
export async function authFactorsOf(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser): Promise<GetUserAuthFactorsResponse> {
  const mfa = await readUserMfa(ctx, user);
  const { UserMFASettingList, PreferredMfaSetting } = mfaSettingsOf(mfa);
  return {
    Username: user.username,
    ...(PreferredMfaSetting && { PreferredMfaSetting }),
    ...(UserMFASettingList && { UserMFASettingList }),
    ConfiguredUserAuthFactors: await configuredAuthFactors(ctx, pool, user, mfa),
  };
}

/** The signed-in user's own authentication factors. */
export async function getUserAuthFactors(ctx: RequestContext, input: GetUserAuthFactorsRequest): Promise<GetUserAuthFactorsResponse> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  return authFactorsOf(poolCtx, pool, user);
}
