import type { SignUpRequest, SignUpResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException, NotAuthorizedException } from '../../../protocol/errors.js';
import { clientRequest } from '../../client-requests.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { createUser } from '../users.js';
import { sendSignUpCode } from '../verification.js';

/**
 * Self-service registration: an UNCONFIRMED user with the chosen password, and a confirmation code to the
 * pool's auto-verified contact. Attributes are limited to the app client's WriteAttributes.
 */
export async function signUp(ctx: RequestContext, input: SignUpRequest): Promise<SignUpResponse> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  if (pool.settings.userPool.AdminCreateUserConfig?.AllowAdminCreateUserOnly) {
    throw new NotAuthorizedException('SignUp is not permitted for this user pool');
  }
  if (!input.Password) throw new InvalidParameterException('A password is required to sign up in this user pool.');
  checkPasswordPolicy(pool.settings.userPool.Policies?.PasswordPolicy, input.Password);
  const user = await createUser(poolCtx, pool, {
    name: input.Username!,
    attributes: input.UserAttributes ?? [],
    status: 'UNCONFIRMED',
    password: { value: input.Password, temporary: false },
    writer: { kind: 'client', writeAttributes: client.settings.WriteAttributes },
  });
  const delivery = await sendSignUpCode(poolCtx, pool, user);
  return { UserConfirmed: false, UserSub: user.sub, ...(delivery && { CodeDeliveryDetails: delivery }) };
}
