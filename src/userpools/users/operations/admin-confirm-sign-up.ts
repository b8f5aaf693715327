import type { AdminConfirmSignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { NotAuthorizedException } from '../../../protocol/errors.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../sign-in-names.js';
import { postConfirmation } from '../../../triggers/post-confirmation.js';
import { updateUser } from '../users.js';

export async function adminConfirmSignUp(ctx: RequestContext, input: AdminConfirmSignUpRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  const confirmed = await updateUser(ctx, pool, user, (u) => {
    if (u.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${u.status}`);
    return { ...u, status: 'CONFIRMED' };
  });
  await postConfirmation(ctx, pool, confirmed, { source: 'PostConfirmation_ConfirmSignUp', clientMetadata: input.ClientMetadata });
  return {};
}
