import type { AdminDeleteSoftwareTokenRequest, AdminDeleteSoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';

/**
 * Forgets a user's authenticator (a lost phone): its secret, one waiting for its first code, and TOTP MFA
 * with them, so that sign-in no longer asks for its codes. The user can then register a new one with
 * AssociateSoftwareToken, or set one up at sign-in (MFA_SETUP) where the pool requires MFA.
 */
export async function adminDeleteSoftwareToken(ctx: RequestContext, input: AdminDeleteSoftwareTokenRequest): Promise<AdminDeleteSoftwareTokenResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await ctx.repos.userMfa.removeTotp(pool.id, user.usernameKey, ctx.now());
  return {};
}
