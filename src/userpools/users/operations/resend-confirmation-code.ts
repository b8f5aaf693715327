import type { ResendConfirmationCodeRequest, ResendConfirmationCodeResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { clientRequest, hidesUserExistence } from '../../client-requests.js';
import { UserNotFoundException } from '../../errors.js';
import { takeCodeMessage } from '../codes.js';
import { findUser, usernameKey } from '../sign-in-names.js';
import { sendSignUpCode, simulatedDelivery } from '../verification.js';

export async function resendConfirmationCode(ctx: RequestContext, input: ResendConfirmationCodeRequest): Promise<ResendConfirmationCodeResponse> {
  const { pool, client, ctx: poolCtx } = await clientRequest(ctx, input.ClientId!, input.Username, input.SecretHash);
  await takeCodeMessage(poolCtx, pool.id, usernameKey(pool, input.Username!));
  const user = await findUser(poolCtx, pool, input.Username!);
  if (!user) {
    if (hidesUserExistence(client)) return { CodeDeliveryDetails: simulatedDelivery(pool, input.Username!) };
    throw new UserNotFoundException('Username/client id combination not found.');
  }
  if (user.status !== 'UNCONFIRMED') throw new InvalidParameterException('User is already confirmed.');
  const delivery = await sendSignUpCode(poolCtx, pool, user, { source: 'CustomMessage_ResendCode', clientId: client.clientId, clientMetadata: input.ClientMetadata });
  if (!delivery) throw new InvalidParameterException('Cannot resend codes. Auto verification not turned on.');
  return { CodeDeliveryDetails: delivery };
}
