import type { CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { maskDestination } from '../../messaging/deliver.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { readUserMfa, signInFactors } from '../mfa/factors.js';
import { CODE_PURPOSES, issueCode } from './codes.js';
import { codeMedium, sendCode } from './messages.js';
import type { MessageCause } from '../../triggers/custom-message.js';
import { EXTERNAL_PROVIDER } from './users.js';

/** Issues a sign-up code and sends it to the auto-verified contact; undefined when there is none. */
export async function sendSignUpCode(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  cause: MessageCause,
): Promise<CodeDeliveryDetailsType | undefined> {
  const medium = codeMedium(pool, user);
  if (!medium) return undefined;
  const code = await issueCode(ctx, pool.id, user.usernameKey, CODE_PURPOSES.signUp);
  return sendCode(ctx, pool, user, medium, code, cause);
}

/**
 * Why the user's password cannot be reset (ForgotPassword, AdminResetUserPassword), if it cannot: not
 * while it is the temporary one an administrator gave, which the user replaces at sign-in. Cognito sends
 * such a user no code (AWS re:Post, "Why didn't I receive a ForgotPassword code": FORCE_CHANGE_PASSWORD).
 * Nor for a user an identity provider brought, whose password is the provider's (Cognito answers the same,
 * amplify-js issue 2383).
 */
export function passwordResetRefusal(user: StoredUser): NotAuthorizedException | undefined {
  if (user.status === 'FORCE_CHANGE_PASSWORD' || user.status === EXTERNAL_PROVIDER) return new NotAuthorizedException('User password cannot be reset in the current state.');
  return undefined;
}

/** Whether the user has the email address or phone number, verified: where reset and sign-in codes may go. */
export function hasVerifiedContact(user: StoredUser, contact: 'email' | 'phone_number'): boolean {
  return Boolean(user.attributes[contact]) && user.attributes[`${contact}_verified`] === 'true';
}

/**
 * Where a password-reset code goes: a verified contact, in the order of the pool's
 * AccountRecoverySetting, or phone before email when the pool has none (Cognito's legacy behaviour).
 * With the setting, a contact that is also the user's second factor does not qualify (SMS MFA rules out
 * the phone, email MFA the email, AccountRecoverySettingType): a reset code and the MFA code would reach
 * the same phone or mailbox, and whoever holds it would get in with that one thing.
 */
export async function recoveryMedium(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser): Promise<'EMAIL' | 'SMS' | undefined> {
  const mechanisms = pool.settings.userPool.AccountRecoverySetting?.RecoveryMechanisms;
  const order = mechanisms
    ? [...mechanisms].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0)).map((m) => m.Name)
    : ['verified_phone_number', 'verified_email'];
  const mfaOff = (pool.settings.userPool.MfaConfiguration ?? 'OFF') === 'OFF';
  const secondFactors = mechanisms && !mfaOff ? signInFactors(pool, user, await readUserMfa(ctx, user)) : [];
  for (const name of order) {
    const mechanism = RECOVERY[name as keyof typeof RECOVERY];
    if (!mechanism || secondFactors.includes(mechanism.factor)) continue;
    if (hasVerifiedContact(user, mechanism.contact)) return mechanism.medium;
  }
  return undefined;
}

/** Each recovery mechanism's contact, how a code reaches it, and the second factor that uses the same contact. */
const RECOVERY = {
  verified_email: { contact: 'email', medium: 'EMAIL', factor: 'EMAIL_OTP' },
  verified_phone_number: { contact: 'phone_number', medium: 'SMS', factor: 'SMS_MFA' },
} as const;

/**
 * What a code delivery to a user that does not exist looks like, for clients with
 * PreventUserExistenceErrors: the same shape as a real one, to a plausible masked destination; by
 * `medium`, or else by the one the pool verifies contacts with.
 */
export function simulatedDelivery(pool: StoredUserPool, name: string, medium?: 'EMAIL' | 'SMS'): CodeDeliveryDetailsType {
  const autoVerified = pool.settings.userPool.AutoVerifiedAttributes ?? [];
  const sms = medium ? medium === 'SMS' : autoVerified.includes('phone_number') && !autoVerified.includes('email');
  if (sms) return { Destination: maskDestination('SMS', name.startsWith('+') ? name : '+10000000000'), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  return { Destination: maskDestination('EMAIL', name.includes('@') ? name : `${name}@example.com`), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}
