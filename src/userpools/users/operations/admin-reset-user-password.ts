import type { AdminResetUserPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { requirePool } from '../../pools.js';
import { CODE_PURPOSES, issueCode } from '../codes.js';
import { sendCode } from '../messages.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';
import { passwordResetRefusal, recoveryMedium } from '../verification.js';

/**
 * Puts the user in RESET_REQUIRED: the current password stops working, and a reset code goes where
 * ForgotPassword's would (the pool's AccountRecoverySetting), which the user needs to choose a new password
 * (ConfirmForgotPassword).
 * Not for a user still on a temporary password: AdminCreateUser's RESEND or AdminSetUserPassword serve them.
 */
export async function adminResetUserPassword(ctx: RequestContext, input: AdminResetUserPasswordRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  const refusal = passwordResetRefusal(user);
  if (refusal) throw refusal;
  const medium = await recoveryMedium(ctx, pool, user);
  if (!medium) {
    throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
  }
  const updated = await updateUser(ctx, pool, user, (u) => ({ ...u, status: 'RESET_REQUIRED' }));
  const code = await issueCode(ctx, pool.id, updated.usernameKey, CODE_PURPOSES.forgotPassword);
  await sendCode(ctx, pool, updated, medium, code, { source: 'CustomMessage_ForgotPassword', clientMetadata: input.ClientMetadata });
  return {};
}
