import type { ConfirmSignUpRequest, ConfirmSignUpResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { NotAuthorizedException } from '../../../protocol/errors.js';
import { openConfirmedSignUpSession } from '../../auth/choice-sign-in.js';
import { clientRequest, hidesUserExistence } from '../../client-requests.js';
import { AliasExistsException, CodeMismatchException, UserNotFoundException } from '../../errors.js';
import { CODE_PURPOSES, consumeCode, restoreCode } from '../codes.js';
import { codeMedium } from '../messages.js';
import { findUser } from '../sign-in-names.js';
import { releaseAliasIfForced } from '../aliases.js';
import { postConfirmation } from '../../../triggers/post-confirmation.js';
import { updateUser } from '../users.js';

/**
 * Confirms a sign-up with its code; the contact the code went to becomes verified, and the Session
 * returned signs the user in once with USER_AUTH, without a password (Amplify's autoSignIn).
 */
export async function confirmSignUp(ctx: RequestContext, input: ConfirmSignUpRequest): Promise<ConfirmSignUpResponse> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  const user = await findUser(poolCtx, pool, input.Username!);
  if (!user) {
    // With PreventUserExistenceErrors a missing user looks like a wrong code.
    if (hidesUserExistence(client)) throw new CodeMismatchException('Invalid verification code provided, please try again.');
    throw new UserNotFoundException('Username/client id combination not found.');
  }
  if (user.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${user.status}`);
  const code = await consumeCode(poolCtx, pool.id, user.usernameKey, CODE_PURPOSES.signUp, input.ConfirmationCode!);
  const medium = codeMedium(pool, user);
  const verified = medium === 'EMAIL' ? 'email_verified' : medium === 'SMS' ? 'phone_number_verified' : undefined;
  let confirmed;
  try {
    if (verified && input.ForceAliasCreation) await releaseAliasIfForced(poolCtx, pool, user, medium === 'EMAIL' ? 'email' : 'phone_number');
    confirmed = await updateUser(poolCtx, pool, user, (u) => {
      if (u.status !== 'UNCONFIRMED') throw new NotAuthorizedException(`User cannot be confirmed. Current status is ${u.status}`);
      return { ...u, status: 'CONFIRMED', attributes: verified ? { ...u.attributes, [verified]: 'true' } : u.attributes };
    });
  } catch (error) {
    // The contact is another user's alias: the code was right, so it stays usable, for a retry with
    // ForceAliasCreation (what Amplify's confirmSignUp offers on AliasExistsException).
    if (error instanceof AliasExistsException) await restoreCode(poolCtx, pool.id, user.usernameKey, CODE_PURPOSES.signUp, code);
    throw error;
  }
  await postConfirmation(poolCtx, pool, confirmed, { source: 'PostConfirmation_ConfirmSignUp', clientId: client.clientId, clientMetadata: input.ClientMetadata });
  return { Session: await openConfirmedSignUpSession(poolCtx, client, user) };
}
