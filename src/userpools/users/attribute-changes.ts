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
 * Where a verification code went, kept with the code: it proves that address only, not whatever the
 * attribute holds when the code comes back. `pending`: a new value kept aside (UserAttributeUpdateSettings),
 * which takes effect when verified.
 */
export interface VerificationDestination {
  to: string;
  pending: boolean;
}

/** A verification code's destination; a code from before destinations were kept has only a pending value, or nothing. */
export function verificationDestination(payload: string | undefined): VerificationDestination | undefined {
  if (payload === undefined) return undefined;
  if (!payload.startsWith('{')) return { to: payload, pending: true };
  return JSON.parse(payload) as VerificationDestination;
}

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
  const sentTo: VerificationDestination = { to: pending ?? user.attributes[contact]!, pending: pending !== undefined };
  const code = await issueCode(ctx, pool.id, user.usernameKey, verificationPurpose(contact), JSON.stringify(sentTo));
  const target = pending === undefined ? user : { ...user, attributes: { ...user.attributes, [contact]: pending } };
  return sendCode(ctx, pool, target, contact === 'email' ? 'EMAIL' : 'SMS', code, cause);
}

/** What a write of attributes does to a user: the attributes to store, and the contacts to verify. */
export interface AttributeChange {
  attributes: Record<string, string>;
  /** New values kept aside, the old verified ones staying in place until these are verified. */
  pending: Partial<Record<Contact, string>>;
  /** Contacts whose new value is to be verified by a code (the pool auto-verifies them). */
  coded: Contact[];
}

/**
 * A write of attributes as Cognito applies it: a new email or phone number is unverified until its code is
 * confirmed (the code goes out when the pool auto-verifies that attribute) unless the write itself marks
 * it verified. With UserAttributeUpdateSettings requiring verification, the old, verified value stays in
 * place — and usable to sign in — until the new one is verified. Every path that writes attributes for a
 * signed-in user goes through here (UpdateUserAttributes, the NEW_PASSWORD_REQUIRED answer): a changed
 * address must never keep the old one's `_verified`.
 */
export function plannedAttributeChange(pool: StoredUserPool, user: StoredUser, writes: AttributeType[], writer: Writer): AttributeChange {
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
  return { attributes, pending, coded: toVerify.filter((contact) => (settings.AutoVerifiedAttributes ?? []).includes(contact)) };
}

/**
 * A planned change stored, with `alongside` (what else the same write sets: NEW_PASSWORD_REQUIRED's
 * password and status, after its own checks of the planned attributes), and its codes sent. A user (not an
 * administrator) may not make codes go to address after address.
 */
export async function applyAttributeChange(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  change: AttributeChange,
  writer: Writer,
  request: Omit<MessageCause, 'source'> = {},
  alongside: Partial<StoredUser> = {},
): Promise<{ updated: StoredUser; deliveries: CodeDeliveryDetailsType[] }> {
  if (change.coded.length > 0 && writer.kind === 'client') await takeCodeMessage(ctx, pool.id, user.usernameKey);
  const updated = await updateUser(ctx, pool, user, (u) => ({ ...u, ...alongside, attributes: change.attributes }));
  const deliveries: CodeDeliveryDetailsType[] = [];
  for (const contact of change.coded) deliveries.push(await sendVerification(ctx, pool, updated, contact, { ...request, source: 'CustomMessage_UpdateUserAttribute' }, change.pending[contact]));
  return { updated, deliveries };
}

/** UpdateUserAttributes and AdminUpdateUserAttributes: plannedAttributeChange, applied. */
export async function changeAttributes(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  writes: AttributeType[],
  writer: Writer,
  request: Omit<MessageCause, 'source'> = {},
): Promise<CodeDeliveryDetailsType[]> {
  return (await applyAttributeChange(ctx, pool, user, plannedAttributeChange(pool, user, writes, writer), writer, request)).deliveries;
}
