import type { GetUserAuthFactorsRequest, GetUserAuthFactorsResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { mfaSettingsOf, readUserMfa } from '../../mfa/factors.js';
import { authenticateAccessToken } from '../access-token.js';
import { configuredAuthFactors } from '../choice-sign-in.js';

/** The signed-in user's MFA settings (as GetUser shows them) and the factors they can sign in with. */
export async function getUserAuthFactors(ctx: RequestContext, input: GetUserAuthFactorsRequest): Promise<GetUserAuthFactorsResponse> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const mfa = await readUserMfa(poolCtx, user);
  const { UserMFASettingList, PreferredMfaSetting } = mfaSettingsOf(mfa);
  return {
    Username: user.username,
    ...(PreferredMfaSetting && { PreferredMfaSetting }),
    ...(UserMFASettingList && { UserMFASettingList }),
    ConfiguredUserAuthFactors: await configuredAuthFactors(poolCtx, pool, user, mfa),
  };
}
