import type { SignUpRequest, SignUpResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { NotAuthorizedException } from '../../../protocol/errors.js';
import { clientRequest } from '../../client-requests.js';
import { checkCodeMessage } from '../codes.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { signUpWithoutPassword } from '../passwordless-users.js';
import { createUser } from '../users.js';
import { sendSignUpCode } from '../verification.js';

/**
 * Self-service registration: an UNCONFIRMED user with the chosen password (or none, where one-time
 * passwords can sign them in: passwordless-users.ts), and a confirmation code to the pool's auto-verified
 * contact, unless the pool's pre sign-up function confirms the user at once. Attributes are limited to the
 * app client's WriteAttributes.
 */
export async function signUp(ctx: RequestContext, input: SignUpRequest): Promise<SignUpResponse> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  if (pool.settings.userPool.AdminCreateUserConfig?.AllowAdminCreateUserOnly) {
    throw new NotAuthorizedException('SignUp is not permitted for this user pool');
  }
  // A user without a password signs in with one-time passwords (choice-sign-in.ts).
  const check = input.Password ? undefined : signUpWithoutPassword(pool, client);
  if (input.Password) checkPasswordPolicy(pool.settings.userPool.Policies?.PasswordPolicy, input.Password);
  // Sign-ups under ever new names could each send a code to one stranger's address: the address counts too.
  const autoVerified: string[] = pool.settings.userPool.AutoVerifiedAttributes ?? [];
  const countMessages = await Promise.all(
    (input.UserAttributes ?? [])
      .filter((attribute) => attribute.Value && autoVerified.includes(attribute.Name!))
      .map((attribute) => checkCodeMessage(poolCtx, pool.id, `to ${attribute.Value!.toLowerCase()}`)),
  );
  const user = await createUser(poolCtx, pool, {
    name: input.Username!,
    attributes: input.UserAttributes ?? [],
    status: 'UNCONFIRMED',
    ...(input.Password && { password: { value: input.Password, temporary: false } }),
    writer: { kind: 'client', writeAttributes: client.settings.WriteAttributes },
    ...(check && { check }),
    preSignUp: { source: 'PreSignUp_SignUp', clientId: client.clientId, validationData: input.ValidationData, clientMetadata: input.ClientMetadata },
  });
  // Confirmed by the pre sign-up function: there is no code to send.
  if (user.status === 'CONFIRMED') return { UserConfirmed: true, UserSub: user.sub };
  for (const count of countMessages) await count();
  const delivery = await sendSignUpCode(poolCtx, pool, user, { source: 'CustomMessage_SignUp', clientId: client.clientId, clientMetadata: input.ClientMetadata });
  return { UserConfirmed: false, UserSub: user.sub, ...(delivery && { CodeDeliveryDetails: delivery }) };
}
