import type { CodeDeliveryDetailsType, DeliveryMediumType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { deliver, deliveryDetails, renderTemplate, type OutgoingMessage } from '../../messaging/deliver.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { customMessage, type MessageCause, type MessageTexts } from '../../triggers/custom-message.js';
import { smsMfaConfiguration } from '../mfa/factors.js';

/** Cognito's default texts, used when the pool sets none. */
const DEFAULTS = {
  inviteSubject: 'Your temporary password',
  inviteEmail: 'Your username is {username} and temporary password is {####}.',
  inviteSms: 'Your username is {username} and temporary password is {####}.',
  verifySubject: 'Your verification code',
  verifyEmail: 'Your verification code is {####}.',
  verifySms: 'Your verification code is {####}.',
  authenticationSms: 'Your authentication code is {####}.',
  authenticationSubject: 'Your authentication code',
  authenticationEmail: 'Your authentication code is {####}.',
};

/** The invitation of a user without a password (Gatehouse's words: Cognito's are not published). */
const PASSWORDLESS_INVITATION = {
  inviteSubject: 'Your new account',
  inviteEmail: 'Your username is {username}. Sign in with a code sent to you.',
  inviteSms: 'Your username is {username}. Sign in with a code sent to you.',
};

function destinationOf(user: StoredUser, medium: 'EMAIL' | 'SMS'): string | undefined {
  return medium === 'EMAIL' ? user.attributes.email : user.attributes.phone_number;
}

/**
 * AdminCreateUser's invitation with the temporary password (none for a user without a password, whose
 * template need not have the {####} placeholder), through each desired medium the user has a destination
 * for (Cognito's default medium is SMS).
 */
export async function sendInvitation(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  temporaryPassword: string | undefined,
  mediums: DeliveryMediumType[] = ['SMS'],
  /** The name the user signs in with: the email or phone number in pools that sign in with those. */
  signInName: string = user.username,
  clientMetadata?: Record<string, string>,
): Promise<void> {
  const template = pool.settings.userPool.AdminCreateUserConfig?.InviteMessageTemplate;
  const defaults = temporaryPassword === undefined ? PASSWORDLESS_INVITATION : DEFAULTS;
  if (!mediums.some((medium) => destinationOf(user, medium === 'EMAIL' ? 'EMAIL' : 'SMS'))) return;
  const texts = await customMessage(ctx, pool, user, { source: 'CustomMessage_AdminCreateUser', clientMetadata }, {
    subject: template?.EmailSubject ?? defaults.inviteSubject,
    email: template?.EmailMessage ?? defaults.inviteEmail,
    sms: template?.SMSMessage ?? defaults.inviteSms,
  });
  for (const medium of mediums) {
    const destination = destinationOf(user, medium === 'EMAIL' ? 'EMAIL' : 'SMS');
    if (!destination) continue;
    const values = { code: temporaryPassword ?? '', username: signInName };
    await deliver(
      ctx,
      pool,
      medium === 'EMAIL'
        ? { medium, destination, subject: texts.subject, body: renderTemplate(texts.email, values) }
        : { medium: 'SMS', destination, body: renderTemplate(texts.sms, values) },
    );
  }
}

/**
 * Where a verification code goes: the attribute asked for, or for sign-up and password reset the
 * pool's auto-verified attributes, the phone first (as Cognito does) when both are verifiable.
 */
export function codeMedium(pool: StoredUserPool, user: StoredUser, attribute?: 'email' | 'phone_number'): 'EMAIL' | 'SMS' | undefined {
  if (attribute) return destinationOf(user, attribute === 'email' ? 'EMAIL' : 'SMS') ? (attribute === 'email' ? 'EMAIL' : 'SMS') : undefined;
  const auto = pool.settings.userPool.AutoVerifiedAttributes ?? [];
  if (auto.includes('phone_number') && user.attributes.phone_number) return 'SMS';
  if (auto.includes('email') && user.attributes.email) return 'EMAIL';
  return undefined;
}

/** A code to send: how, which, and why (what the custom message function hears). */
interface CodeToSend {
  medium: 'EMAIL' | 'SMS';
  code: string;
  cause: MessageCause;
}

/**
 * Sends a code by email or SMS with the pool's texts (each with {####} for the code), or those the pool's
 * custom message function writes instead, and returns CodeDeliveryDetails.
 */
async function sendCodeMessage(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, { medium, code, cause }: CodeToSend, poolTexts: MessageTexts): Promise<CodeDeliveryDetailsType> {
  const texts = await customMessage(ctx, pool, user, cause, poolTexts);
  const values = { code, username: user.username };
  const message: OutgoingMessage =
    medium === 'EMAIL'
      ? { medium, destination: user.attributes.email, subject: texts.subject, body: renderTemplate(texts.email, values) }
      : { medium, destination: user.attributes.phone_number, body: renderTemplate(texts.sms, values) };
  await deliver(ctx, pool, message);
  return deliveryDetails(message);
}

/** Sends a verification code with the pool's VerificationMessageTemplate and returns CodeDeliveryDetails. */
export function sendCode(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  medium: 'EMAIL' | 'SMS',
  code: string,
  cause: MessageCause,
): Promise<CodeDeliveryDetailsType> {
  const template = pool.settings.userPool.VerificationMessageTemplate;
  return sendCodeMessage(ctx, pool, user, { medium, code, cause }, {
    subject: template?.EmailSubject ?? DEFAULTS.verifySubject,
    email: template?.EmailMessage ?? DEFAULTS.verifyEmail,
    sms: template?.SmsMessage ?? DEFAULTS.verifySms,
  });
}

/**
 * Sends a sign-in (MFA) code: by SMS with the pool's SmsAuthenticationMessage, by email with its
 * EmailMfaConfiguration message and subject.
 */
export function sendAuthenticationCode(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  medium: 'EMAIL' | 'SMS',
  code: string,
  clientId: string,
): Promise<CodeDeliveryDetailsType> {
  const { mfa } = pool.settings;
  return sendCodeMessage(ctx, pool, user, { medium, code, cause: { source: 'CustomMessage_Authentication', clientId } }, {
    subject: mfa.EmailMfaConfiguration?.Subject ?? DEFAULTS.authenticationSubject,
    email: mfa.EmailMfaConfiguration?.Message ?? DEFAULTS.authenticationEmail,
    sms: smsMfaConfiguration(pool)?.SmsAuthenticationMessage ?? DEFAULTS.authenticationSms,
  });
}
