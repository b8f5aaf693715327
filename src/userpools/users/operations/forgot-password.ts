import type { ForgotPasswordRequest, ForgotPasswordResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException, NotAuthorizedException } from '../../../protocol/errors.js';
import { clientRequest, hidesUserExistence } from '../../client-requests.js';
import { UserNotFoundException } from '../../errors.js';
import { CODE_PURPOSES, issueCode, takeCodeMessage } from '../codes.js';
import { sendCode } from '../messages.js';
import { migrateUser } from '../../../triggers/user-migration.js';
import { findUser, usernameKey } from '../sign-in-names.js';
import { passwordResetRefusal, recoveryMedium, simulatedDelivery } from '../verification.js';

/** Sends a password-reset code to a verified contact; the password keeps working until it is reset. */
export async function forgotPassword(ctx: RequestContext, input: ForgotPasswordRequest): Promise<ForgotPasswordResponse> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  await takeCodeMessage(poolCtx, pool.id, usernameKey(pool, input.Username!));
  const user = (await findUser(poolCtx, pool, input.Username!)) ?? (await migrateUser(poolCtx, pool, client, input.Username!, { source: 'UserMigration_ForgotPassword', clientMetadata: input.ClientMetadata }));
  // With PreventUserExistenceErrors, a user that is missing, disabled, still on a temporary password or
  // without a verified contact gets a simulated delivery, as Cognito documents ("Managing user existence
  // error responses": ForgotPassword).
  const simulated = hidesUserExistence(client) ? { CodeDeliveryDetails: simulatedDelivery(pool, input.Username!) } : undefined;
  if (!user) {
    if (simulated) return simulated;
    throw new UserNotFoundException('Username/client id combination not found.');
  }
  if (!user.enabled) {
    if (simulated) return simulated;
    throw new NotAuthorizedException('User is disabled.');
  }
  const refusal = passwordResetRefusal(user);
  if (refusal) {
    if (simulated) return simulated;
    throw refusal;
  }
  const medium = await recoveryMedium(poolCtx, pool, user);
  if (!medium) {
    if (simulated) return simulated;
    throw new InvalidParameterException('Cannot reset password for the user as there is no registered/verified email or phone_number');
  }
  const code = await issueCode(poolCtx, pool.id, user.usernameKey, CODE_PURPOSES.forgotPassword);
  return { CodeDeliveryDetails: await sendCode(poolCtx, pool, user, medium, code, { source: 'CustomMessage_ForgotPassword', clientId: client.clientId, clientMetadata: input.ClientMetadata }) };
}
