import type { AdminSetUserMFAPreferenceRequest, AdminSetUserMFAPreferenceResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { applyMfaPreferences } from '../preferences.js';

/** An administrator turns a user's MFA factors on or off and picks the preferred one. */
export async function adminSetUserMFAPreference(ctx: RequestContext, input: AdminSetUserMFAPreferenceRequest): Promise<AdminSetUserMFAPreferenceResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await applyMfaPreferences(ctx, pool, user, input);
  return {};
}
