import type { ConfirmForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { NotAuthorizedException } from '../../../protocol/errors.js';
import { clientRequest, hidesUserExistence } from '../../client-requests.js';
import { CodeMismatchException, PasswordHistoryPolicyViolationException, UserNotFoundException } from '../../errors.js';
import { CODE_PURPOSES, consumeCode, restoreCode } from '../codes.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { isInHistory, newCredentials, type PasswordCredentials } from '../password-store.js';
import { findUser } from '../sign-in-names.js';
import { postConfirmation } from '../../../triggers/post-confirmation.js';
import { updateUser } from '../users.js';

/** Sets a new password with the code from ForgotPassword (or AdminResetUserPassword). */
export async function confirmForgotPassword(ctx: RequestContext, input: ConfirmForgotPasswordRequest): Promise<Record<string, never>> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  const policy = pool.settings.userPool.Policies?.PasswordPolicy;
  // The policy is the pool's, so it is checked before the user is looked up (a weak password gets the same
  // answer whether the user exists or not) and before the code is spent (it does not cost the user the code).
  checkPasswordPolicy(policy, input.Password!);
  const user = await findUser(poolCtx, pool, input.Username!);
  // With PreventUserExistenceErrors a missing or disabled user looks like a wrong code (as Cognito documents).
  if (!user) {
    if (hidesUserExistence(client)) throw new CodeMismatchException('Invalid verification code provided, please try again.');
    throw new UserNotFoundException('Username/client id combination not found.');
  }
  if (!user.enabled) {
    if (hidesUserExistence(client)) throw new CodeMismatchException('Invalid verification code provided, please try again.');
    throw new NotAuthorizedException('User is disabled.');
  }
  // The code first: the history check below says whether a password is the user's current or a recent
  // one, which nobody may learn without the code (nor try without spending the code's attempts).
  const code = await consumeCode(poolCtx, pool.id, user.usernameKey, CODE_PURPOSES.forgotPassword, input.ConfirmationCode!);
  const previous = user.credentials as PasswordCredentials | null;
  if (await isInHistory(previous, input.Password!, policy?.PasswordHistorySize ?? 0)) {
    // Not the code's fault: the user may try another password with it.
    await restoreCode(poolCtx, pool.id, user.usernameKey, CODE_PURPOSES.forgotPassword, code);
    throw new PasswordHistoryPolicyViolationException('The password was used recently. Choose a password you have not used before.');
  }
  const credentials = await newCredentials(poolCtx, pool, user.username, input.Password!, { temporary: false, previous, historySize: policy?.PasswordHistorySize });
  const updated = await updateUser(poolCtx, pool, user, (u) => ({ ...u, credentials, status: u.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED' }));
  await postConfirmation(poolCtx, pool, updated, { source: 'PostConfirmation_ConfirmForgotPassword', clientId: client.clientId, clientMetadata: input.ClientMetadata });
  return {};
}
