import type {
  CodeDeliveryDetailsType,
  DeleteUserAttributesRequest,
  GetUserAttributeVerificationCodeRequest,
  GetUserAttributeVerificationCodeResponse,
  UpdateUserAttributesRequest,
  UpdateUserAttributesResponse,
  VerifyUserAttributeRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import type { StoredUser } from '../../../storage/users-repository.js';
import type { StoredUserPool } from '../../../storage/user-pools-repository.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { applyAttributeDeletes, applyAttributeWrites, type Writer } from '../attributes.js';
import { CODE_PURPOSES, consumeCode, issueCode } from '../codes.js';
import { sendCode } from '../messages.js';
import { updateUser } from '../users.js';

type Contact = 'email' | 'phone_number';
const CONTACTS: Contact[] = ['email', 'phone_number'];
const purposeOf = (contact: Contact) => (contact === 'email' ? CODE_PURPOSES.verifyEmail : CODE_PURPOSES.verifyPhone);
const mediumOf = (contact: Contact) => (contact === 'email' ? 'EMAIL' : 'SMS');

async function writerOf(ctx: RequestContext, poolId: string, clientId: unknown): Promise<Writer> {
  const client = await ctx.repos.appClients.get(poolId, String(clientId));
  return { kind: 'client', writeAttributes: client?.settings.WriteAttributes };
}

/** Sends a code that verifies `contact`; with `pending`, the code confirms that new value. */
async function sendVerification(ctx: RequestContext, pool: StoredUserPool, user: StoredUser, contact: Contact, pending?: string): Promise<CodeDeliveryDetailsType> {
  const code = await issueCode(ctx, pool.id, user.usernameKey, purposeOf(contact), pending);
  const target = pending === undefined ? user : { ...user, attributes: { ...user.attributes, [contact]: pending } };
  return sendCode(ctx, pool, target, mediumOf(contact), code);
}

/**
 * The signed-in user changes its attributes. A new email or phone number is unverified until its code is
 * confirmed (a code goes out when the pool auto-verifies it); with UserAttributeUpdateSettings requiring
 * verification, the old value stays in place — and usable to sign in — until the new one is verified.
 */
export async function updateUserAttributes(ctx: RequestContext, input: UpdateUserAttributesRequest): Promise<UpdateUserAttributesResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const writer = await writerOf(poolCtx, pool.id, claims.client_id);
  const settings = pool.settings.userPool;
  const autoVerified = settings.AutoVerifiedAttributes ?? [];
  const keepOld = settings.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  let attributes = applyAttributeWrites(pool, user.attributes, input.UserAttributes!, writer, false);
  const pending: Partial<Record<Contact, string>> = {};
  for (const contact of CONTACTS) {
    if (attributes[contact] === user.attributes[contact] || attributes[contact] === undefined) continue;
    if (keepOld.includes(contact) && user.attributes[`${contact}_verified`] === 'true') {
      pending[contact] = attributes[contact];
      attributes = { ...attributes, [contact]: user.attributes[contact] };
    } else {
      attributes = { ...attributes, [`${contact}_verified`]: 'false' };
    }
  }
  const updated = await updateUser(poolCtx, pool, user, (u) => ({ ...u, attributes }));
  const deliveries: CodeDeliveryDetailsType[] = [];
  for (const contact of CONTACTS) {
    if (!autoVerified.includes(contact)) continue;
    if (pending[contact] !== undefined) deliveries.push(await sendVerification(poolCtx, pool, updated, contact, pending[contact]));
    else if (updated.attributes[contact] !== user.attributes[contact]) deliveries.push(await sendVerification(poolCtx, pool, updated, contact));
  }
  return { CodeDeliveryDetailsList: deliveries };
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
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const contact = contactOf(input.AttributeName!);
  if (!user.attributes[contact]) throw new InvalidParameterException(`The user has no ${contact} to verify.`);
  return { CodeDeliveryDetails: await sendVerification(poolCtx, pool, user, contact) };
}

/** Confirms a contact with its code; a pending new value (see updateUserAttributes) takes effect now. */
export async function verifyUserAttribute(ctx: RequestContext, input: VerifyUserAttributeRequest): Promise<Record<string, never>> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const contact = contactOf(input.AttributeName!);
  const code = await consumeCode(poolCtx, pool.id, user.usernameKey, purposeOf(contact), input.Code!);
  await updateUser(poolCtx, pool, user, (u) => ({
    ...u,
    attributes: { ...u.attributes, ...(code.payload !== undefined && { [contact]: code.payload }), [`${contact}_verified`]: 'true' },
  }));
  return {};
}
