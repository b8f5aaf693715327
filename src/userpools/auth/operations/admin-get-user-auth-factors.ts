import type { AdminGetUserAuthFactorsRequest, AdminGetUserAuthFactorsResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { authFactorsOf } from './get-user-auth-factors.js';

/** An administrator reads what a user can sign in with, as GetUserAuthFactors shows it to the user. */
export async function adminGetUserAuthFactors(ctx: RequestContext, input: AdminGetUserAuthFactorsRequest): Promise<AdminGetUserAuthFactorsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return authFactorsOf(ctx, pool, await requireUser(ctx, pool, input.Username!));
}
