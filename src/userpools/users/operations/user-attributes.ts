import type {
  DeleteUserAttributesRequest,
  GetUserAttributeVerificationCodeRequest,
  GetUserAttributeVerificationCodeResponse,
  UpdateUserAttributesRequest,
  UpdateUserAttributesResponse,
  VerifyUserAttributeRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { CodeMismatchException } from '../../errors.js';
import { changeAttributes, sendVerification, verificationDestination, verificationPurpose, type Contact } from '../attribute-changes.js';
import { applyAttributeDeletes, type Writer } from '../attributes.js';
import { consumeCode, takeCodeMessage } from '../codes.js';
import { updateUser } from '../users.js';

async function writerOf(ctx: RequestContext, poolId: string, clientId: unknown): Promise<Writer> {
  const client = await ctx.repos.appClients.get(poolId, String(clientId));
  return { kind: 'client', writeAttributes: client?.settings.WriteAttributes };
}

/** The signed-in user changes its attributes, within its app client's WriteAttributes. */
export async function updateUserAttributes(ctx: RequestContext, input: UpdateUserAttributesRequest): Promise<UpdateUserAttributesResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const writer = await writerOf(poolCtx, pool.id, claims.client_id);
  return { CodeDeliveryDetailsList: await changeAttributes(poolCtx, pool, user, input.UserAttributes!, writer, { clientId: claims.client_id as string, clientMetadata: input.ClientMetadata }) };
}

export async function deleteUserAttributes(ctx: RequestContext, input: DeleteUserAttributesRequest): Promise<Record<string, never>> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const writer = await writerOf(poolCtx, pool.id, claims.client_id);
  await updateUser(poolCtx, pool, user, (u) => ({ ...u, attributes: applyAttributeDeletes(pool, u.attributes, input.UserAttributeNames!, writer) }));
  return {};
}

function contactOf(name: string): Contact {
  if (name !== 'email' && name !== 'phone_number') throw new InvalidParameterException(`Attribute ${name} cannot be verified; only email and phone_number can.`);
  return name;
}

export async function getUserAttributeVerificationCode(
  ctx: RequestContext,
  input: GetUserAttributeVerificationCodeRequest,
): Promise<GetUserAttributeVerificationCodeResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const contact = contactOf(input.AttributeName!);
  if (!user.attributes[contact]) throw new InvalidParameterException(`The user has no ${contact} to verify.`);
  await takeCodeMessage(poolCtx, pool.id, user.usernameKey);
  return { CodeDeliveryDetails: await sendVerification(poolCtx, pool, user, contact, { source: 'CustomMessage_VerifyUserAttribute', clientId: claims.client_id as string, clientMetadata: input.ClientMetadata }) };
}

/** Confirms a contact with its code; a pending new value (see updateUserAttributes) takes effect now. */
export async function verifyUserAttribute(ctx: RequestContext, input: VerifyUserAttributeRequest): Promise<Record<string, never>> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const contact = contactOf(input.AttributeName!);
  const code = await consumeCode(poolCtx, pool.id, user.usernameKey, verificationPurpose(contact), input.Code!);
  const sentTo = verificationDestination(code.payload);
  // A code proves the address it went to: not one the attribute was changed to since.
  if (sentTo && !sentTo.pending && sentTo.to !== user.attributes[contact]) throw new CodeMismatchException('Invalid verification code provided, please try again.');
  await updateUser(poolCtx, pool, user, (u) => ({
    ...u,
    attributes: { ...u.attributes, ...(sentTo?.pending && { [contact]: sentTo.to }), [`${contact}_verified`]: 'true' },
  }));
  return {};
}
