import type { AttributeType, CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { applyAttributeWrites, type Writer } from './attributes.js';
import { CODE_PURPOSES, issueCode, takeCodeMessage } from './codes.js';
import { sendCode } from './messages.js';
import type { MessageCause } from '../../triggers/custom-message.js';
import { updateUser } from './users.js';

export type Contact = 'email' | 'phone_number';
const CONTACTS: Contact[] = ['email', 'phone_number'];
export const verificationPurpose = (contact: Contact) => (contact === 'email' ? CODE_PURPOSES.verifyEmail : CODE_PURPOSES.verifyPhone);

/**
 * Sends a code that verifies `contact`; with `pending`, the code confirms that new value. `source` says why,
 * as the custom message function hears it: the attribute changed, or the user asked for a code.
 */
export async function sendVerification(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  contact: Contact,
  cause: MessageCause,
  pending?: string,
): Promise<CodeDeliveryDetailsType> {
  const code = await issueCode(ctx, pool.id, user.usernameKey, verificationPurpose(contact), pending);
  const target = pending === undefined ? user : { ...user, attributes: { ...user.attributes, [contact]: pending } };
  return sendCode(ctx, pool, target, contact === 'email' ? 'EMAIL' : 'SMS', code, cause);
}

/**
 * UpdateUserAttributes and AdminUpdateUserAttributes. A new email or phone number is unverified until its
 * code is confirmed (the code goes out when the pool auto-verifies that attribute) unless the request
 * itself marks it verified. With UserAttributeUpdateSettings requiring verification, the old, verified
 * value stays in place — and usable to sign in — until the new one is verified.
 */
export async function changeAttributes(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  writes: AttributeType[],
  writer: Writer,
  request: Omit<MessageCause, 'source'> = {},
): Promise<CodeDeliveryDetailsType[]> {
  const settings = pool.settings.userPool;
  const keepOld = settings.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  let attributes = applyAttributeWrites(pool, user.attributes, writes, writer, false);
  const pending: Partial<Record<Contact, string>> = {};
  const toVerify: Contact[] = [];
  for (const contact of CONTACTS) {
    if (attributes[contact] === undefined || attributes[contact] === user.attributes[contact]) continue;
    if (writes.some((w) => w.Name === `${contact}_verified`)) continue;
    toVerify.push(contact);
    if (keepOld.includes(contact) && user.attributes[`${contact}_verified`] === 'true') {
      pending[contact] = attributes[contact];
      attributes = { ...attributes, [contact]: user.attributes[contact] };
    } else {
      attributes = { ...attributes, [`${contact}_verified`]: 'false' };
    }
  }
  const coded = toVerify.filter((contact) => (settings.AutoVerifiedAttributes ?? []).includes(contact));
  // A user may not make codes go to address after address; an administrator is trusted to.
  if (coded.length > 0 && writer.kind === 'client') await takeCodeMessage(ctx, pool.id, user.usernameKey);
  const updated = await updateUser(ctx, pool, user, (u) => ({ ...u, attributes }));
  const deliveries: CodeDeliveryDetailsType[] = [];
  for (const contact of coded) deliveries.push(await sendVerification(ctx, pool, updated, contact, { ...request, source: 'CustomMessage_UpdateUserAttribute' }, pending[contact]));
  return deliveries;
}
