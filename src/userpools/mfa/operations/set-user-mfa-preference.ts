import type { SetUserMFAPreferenceRequest, SetUserMFAPreferenceResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { applyMfaPreferences } from '../preferences.js';

/** The signed-in user turns MFA factors on or off and picks the preferred one. */
export async function setUserMFAPreference(ctx: RequestContext, input: SetUserMFAPreferenceRequest): Promise<SetUserMFAPreferenceResponse> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  await applyMfaPreferences(poolCtx, pool, user, input);
  return {};
}
