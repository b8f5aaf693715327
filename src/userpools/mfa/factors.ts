import type { MFAOptionType, SmsMfaConfigType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import { noMfa, type StoredUserMfa } from '../../storage/user-mfa-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';

/** The second factors, by the names Cognito uses for them in challenges and in UserMFASettingList. */
export type MfaFactor = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';

/** In the order Cognito lists them. */
export const FACTORS: readonly MfaFactor[] = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'];

/** Where each factor's switches are kept in the stored MFA settings. */
export const SETTING = { SMS_MFA: 'sms', SOFTWARE_TOKEN_MFA: 'totp', EMAIL_OTP: 'email' } as const;

export function preferenceOf(mfa: StoredUserMfa, factor: MfaFactor) {
  return mfa[SETTING[factor]];
}

export async function readUserMfa(ctx: ServiceContext, user: StoredUser): Promise<StoredUserMfa> {
  return (await ctx.repos.userMfa.get(user.poolId, user.usernameKey)) ?? noMfa(user.poolId, user.usernameKey);
}

/**
 * The pool's SMS MFA configuration: SetUserPoolMfaConfig's, or else what CreateUserPool and UpdateUserPool
 * gave (SmsConfiguration, SmsAuthenticationMessage); undefined when the pool cannot send SMS. The one
 * reading of it for sign-in, the message sent, and GetUserPoolMfaConfig.
 */
export function smsMfaConfiguration(pool: Pick<StoredUserPool, 'settings'>): SmsMfaConfigType | undefined {
  const { mfa, userPool } = pool.settings;
  const SmsConfiguration = mfa.SmsMfaConfiguration?.SmsConfiguration ?? userPool.SmsConfiguration;
  if (!SmsConfiguration) return undefined;
  const SmsAuthenticationMessage = mfa.SmsMfaConfiguration?.SmsAuthenticationMessage ?? userPool.SmsAuthenticationMessage;
  return { SmsConfiguration, ...(SmsAuthenticationMessage && { SmsAuthenticationMessage }) };
}

/** The factors the pool's MFA configuration offers. */
export function poolFactors(pool: Pick<StoredUserPool, 'settings'>): MfaFactor[] {
  const { mfa } = pool.settings;
  const offered: MfaFactor[] = [];
  if (smsMfaConfiguration(pool)) offered.push('SMS_MFA');
  if (mfa.SoftwareTokenMfaConfiguration?.Enabled) offered.push('SOFTWARE_TOKEN_MFA');
  if (mfa.EmailMfaConfiguration) offered.push('EMAIL_OTP');
  return offered;
}

/**
 * MfaConfiguration ON or OPTIONAL needs a factor the pool offers, or no one could complete a sign-in.
 * CreateUserPool and UpdateUserPool can give only SMS (an SmsConfiguration; the other factors come with
 * SetUserPoolMfaConfig, and UpdateUserPool keeps them), and Cognito answers a pool that requires MFA
 * without one in these words (`how` 'pool'); SetUserPoolMfaConfig in its own ('mfa-config').
 */
export function requireMfaFactor(pool: Pick<StoredUserPool, 'settings'>, how: 'pool' | 'mfa-config'): void {
  if ((pool.settings.userPool.MfaConfiguration ?? 'OFF') === 'OFF' || poolFactors(pool).length > 0) return;
  throw new InvalidParameterException(
    how === 'pool'
      ? 'SMS configuration and Auto verification for phone_number are required when MFA is required/optional'
      : "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
  );
}

/** The attribute a factor sends its code to; an authenticator has none. */
export const CONTACT: Partial<Record<MfaFactor, 'phone_number' | 'email'>> = { SMS_MFA: 'phone_number', EMAIL_OTP: 'email' };

/** Whether the factor can reach the user: a phone number for SMS, an email address, a verified authenticator. */
export function canReach(user: StoredUser, mfa: StoredUserMfa, factor: MfaFactor): boolean {
  const contact = CONTACT[factor];
  return contact ? Boolean(user.attributes[contact]) : mfa.totpSecret !== undefined;
}

/**
 * The factors a sign-in of this user asks for, one of them or a choice among them:
 * - MfaConfiguration OFF: none.
 * - the factors the user turned on and that can reach them. SMS and email need the pool to still offer
 *   them (there is nothing to send with otherwise); an authenticator keeps working after the pool stops
 *   offering TOTP, as Cognito's TOTP guide says.
 * - OPTIONAL and no factor on: none.
 * - ON and no factor on: a factor the user already has the means for (a verified authenticator, or the
 *   phone number or email address of a factor the pool offers — "you can't turn off SMS MFA for any of
 *   your users when MFA is required", SMSMfaSettingsType); none when there is none (MFA_SETUP then).
 */
export function signInFactors(pool: StoredUserPool, user: StoredUser, mfa: StoredUserMfa): MfaFactor[] {
  const mode = pool.settings.userPool.MfaConfiguration ?? 'OFF';
  if (mode === 'OFF') return [];
  const offered = poolFactors(pool);
  const usable = FACTORS.filter(
    (factor) => preferenceOf(mfa, factor).enabled && canReach(user, mfa, factor) && (factor === 'SOFTWARE_TOKEN_MFA' || offered.includes(factor)),
  );
  if (usable.length > 0 || mode === 'OPTIONAL') return usable;
  const fallback = (['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'] as const).find((factor) => offered.includes(factor) && canReach(user, mfa, factor));
  return fallback ? [fallback] : [];
}

/** GetUser's and AdminGetUser's MFA members; absent, as Cognito leaves them, for a user without MFA. */
export function mfaSettingsOf(mfa: StoredUserMfa): { UserMFASettingList?: string[]; PreferredMfaSetting?: string; MFAOptions?: MFAOptionType[] } {
  const enabled = FACTORS.filter((factor) => preferenceOf(mfa, factor).enabled);
  const preferred = enabled.find((factor) => preferenceOf(mfa, factor).preferred);
  return {
    ...(enabled.length > 0 && { UserMFASettingList: enabled }),
    ...(preferred && { PreferredMfaSetting: preferred }),
    // The legacy member describes SMS MFA only (the model documentation of MFAOptionType).
    ...(mfa.sms.enabled && { MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }),
  };
}
