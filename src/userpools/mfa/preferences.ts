import type { SetUserMFAPreferenceRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { FactorPreference, MfaPreferences } from '../../storage/user-mfa-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { canReach, FACTORS, poolFactors, readUserMfa, SETTING, type MfaFactor } from './factors.js';

export type MfaPreferenceInput = Pick<SetUserMFAPreferenceRequest, 'SMSMfaSettings' | 'SoftwareTokenMfaSettings' | 'EmailMfaSettings' | 'WebAuthnMfaSettings'>;

/**
 * The factors that send a code, which a user can turn on only while the pool offers them: with nothing to
 * send the code with, a preference would be stored that no sign-in ever asks for. (TOTP is not here: a
 * user's authenticator keeps working after the pool stops offering TOTP, as Cognito's TOTP guide says.)
 */
const NOT_OFFERED: Partial<Record<MfaFactor, string>> = {
  SMS_MFA: 'SMS MFA is not enabled for the user pool: give it an SmsConfiguration (SetUserPoolMfaConfig SmsMfaConfiguration, or CreateUserPool / UpdateUserPool) first.',
  EMAIL_OTP: 'Email MFA is not enabled for the user pool: set its EmailMfaConfiguration with SetUserPoolMfaConfig first.',
};

/**
 * SetUserMFAPreference and AdminSetUserMFAPreference (and the legacy SetUserSettings): each factor named in
 * the request is turned on or off and may become the preferred one (only one can be); factors not named keep
 * their settings. A factor can be turned on only when it can reach the user and, for SMS and email, when the
 * pool offers it — Cognito's InvalidParameterException otherwise. Turning a factor off is always accepted.
 */
export async function applyMfaPreferences(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, input: MfaPreferenceInput): Promise<void> {
  if (input.WebAuthnMfaSettings?.Enabled) throw new InvalidParameterException('Passkey (WebAuthn) MFA is not supported by Gatehouse.');
  const requested: [MfaFactor, { Enabled?: boolean; PreferredMfa?: boolean } | undefined][] = [
    ['SMS_MFA', input.SMSMfaSettings],
    ['SOFTWARE_TOKEN_MFA', input.SoftwareTokenMfaSettings],
    ['EMAIL_OTP', input.EmailMfaSettings],
  ];
  const preferring = requested.filter(([, settings]) => settings?.PreferredMfa).map(([factor]) => factor);
  if (preferring.length > 1) throw new InvalidParameterException('Only one MFA method can be preferred.');
  const mfa = await readUserMfa(ctx, user);
  const offered = poolFactors(pool);
  const next: MfaPreferences = { sms: { ...mfa.sms }, totp: { ...mfa.totp }, email: { ...mfa.email } };
  for (const [factor, settings] of requested) {
    if (!settings) continue;
    // PreferredMfa alone turns the factor on; Enabled false with PreferredMfa true is a contradiction.
    const enabled = settings.Enabled ?? settings.PreferredMfa ?? false;
    const preferred = settings.PreferredMfa ?? false;
    if (preferred && !enabled) throw new InvalidParameterException(`${factor} cannot be preferred while it is not enabled.`);
    if (enabled && !canReach(user, mfa, factor)) throw new InvalidParameterException(`User does not have delivery config set to turn on ${factor}`);
    const notOffered = NOT_OFFERED[factor];
    if (enabled && notOffered && !offered.includes(factor)) throw new InvalidParameterException(notOffered);
    next[SETTING[factor]] = { enabled, preferred } satisfies FactorPreference;
  }
  if (preferring.length === 1) {
    for (const factor of FACTORS) if (factor !== preferring[0]) next[SETTING[factor]].preferred = false;
  }
  await ctx.repos.userMfa.setPreferences(user.poolId, user.usernameKey, next, ctx.now());
}
