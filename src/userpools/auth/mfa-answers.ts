import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { safeEqual } from '../../security/safe-equal.js';
import { sessionDevice } from '../devices/devices.js';
import type { ServiceContext } from '../../context.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { AliasExistsException, CodeMismatchException, SoftwareTokenMFANotFoundException } from '../errors.js';
import { CONTACT, readUserMfa, type MfaFactor } from '../mfa/factors.js';
import { updateUser } from '../users/users.js';
import { acceptTotpCode } from '../mfa/totp.js';
import { recordFailedSignIn } from './account-protection.js';
import { returnSession, takeSession } from './auth-sessions.js';
import { factorChallenge, mfaCodeHash, type CodeChallengeState } from './mfa-challenges.js';
import { afterFactors, sessionUser, type SignInStep } from './sign-in-outcome.js';
import type { ChallengeAnswer } from './challenge-answer.js';

/**
 * The challenge response that carries each code challenge's code: the second factors', and SMS_OTP's (a
 * texted code as a first factor; EMAIL_OTP is one name for both). The hosted UI's code page fills the same.
 */
const CODE_PARAMETER: Record<string, string> = {
  SMS_MFA: 'SMS_MFA_CODE',
  SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE',
  EMAIL_OTP: 'EMAIL_OTP_CODE',
  SMS_OTP: 'SMS_OTP_CODE',
};

/** The response member of a code challenge's code; undefined for any other challenge. */
export const codeParameterOf = (challenge: string): string | undefined => (Object.hasOwn(CODE_PARAMETER, challenge) ? CODE_PARAMETER[challenge] : undefined);

/** Wrong codes one challenge session takes before the sign-in must start again (each also counts towards the lock). */
const MAX_CODE_ATTEMPTS = 3;

/** Cognito's answer to a wrong or reused MFA code. */
const codeMismatch = () => new CodeMismatchException('Invalid code or auth state for the user.');

/**
 * SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA, and SMS_OTP (`challenge`: a texted code as the first factor of
 * a choice-based sign-in, checked as SMS_MFA's): the code, checked against the one sent (by its keyed hash,
 * in constant time) or against the user's authenticator. A wrong code is CodeMismatchException and a
 * failed sign-in for the account lock; the session stays usable for a few more tries. The challenge of a
 * user that does not exist (choice-sign-in.ts, under PreventUserExistenceErrors) takes no code, and
 * refuses each exactly as a real one refuses a wrong code.
 */
export async function answerMfaCode(answer: ChallengeAnswer, factor: MfaFactor, challenge: ChallengeNameType = factor): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  const parameter = codeParameterOf(challenge)!;
  const code = responses[parameter];
  if (!code) throw new InvalidParameterException(`Missing required parameter ${parameter}`);
  const stored = await takeSession(ctx, client, session, challenge);
  const state = stored.state as CodeChallengeState;
  const user = state.pretend ? undefined : await sessionUser(ctx, pool, stored);
  let accepted = false;
  if (user && factor === 'SOFTWARE_TOKEN_MFA') {
    const mfa = await readUserMfa(ctx, user);
    if (!mfa.totpSecret) throw new SoftwareTokenMFANotFoundException('Software Token MFA does not exist for the user.');
    accepted = await acceptTotpCode(ctx, user, mfa, code);
  } else if (user) {
    accepted = safeEqual(mfaCodeHash(ctx, user, factor, code), state.codeHash ?? '');
  }
  if (!user || !accepted) {
    if (user) await recordFailedSignIn(ctx, user);
    const attempts = (state.attempts ?? 0) + 1;
    if (attempts < MAX_CODE_ATTEMPTS) await returnSession(ctx, stored, { ...state, attempts });
    throw codeMismatch();
  }
  const proven = await markContactVerified(ctx, pool, user, factor);
  return afterFactors(ctx, pool, client, proven, await sessionDevice(ctx, proven, state), session);
}

/**
 * A code sent to an unverified phone number (or email address) and typed back proves the user holds it, so
 * Cognito sets phone_number_verified (email_verified) after the MFA sign-in. Where another user holds the
 * same address as a verified alias, the sign-in still succeeds and the address stays unverified: taking an
 * alias away is for ForceAliasCreation, not for a side effect of signing in.
 */
async function markContactVerified(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, factor: MfaFactor): Promise<StoredUser> {
  const contact = CONTACT[factor];
  if (!contact || !user.attributes[contact] || user.attributes[`${contact}_verified`] === 'true') return user;
  try {
    return await updateUser(ctx, pool, user, (u) =>
      // Only the address the code went to (its hash binds it), not one written since this request read the user.
      u.attributes[contact] === user.attributes[contact] ? { ...u, attributes: { ...u.attributes, [`${contact}_verified`]: 'true' } } : u,
    );
  } catch (error) {
    // Only an alias can clash here: a UsernameAttributes address is unique among all users, verified or not.
    if (error instanceof AliasExistsException) return user;
    throw error;
  }
}

/** SELECT_MFA_TYPE: the factor the user picked (ANSWER) gets its challenge, in a new session. */
export async function answerSelectMfaType(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  // The model documentation calls the email answer EMAIL_MFA; the challenge it leads to is EMAIL_OTP.
  const picked = responses.ANSWER === 'EMAIL_MFA' ? 'EMAIL_OTP' : responses.ANSWER;
  if (!picked) throw new InvalidParameterException('Missing required parameter ANSWER');
  const stored = await takeSession(ctx, client, session, 'SELECT_MFA_TYPE');
  const choices = (stored.state.choices ?? []) as MfaFactor[];
  if (!choices.includes(picked as MfaFactor)) {
    await returnSession(ctx, stored, stored.state);
    throw new InvalidParameterException(`Invalid ANSWER: choose one of ${choices.join(', ')}.`);
  }
  const user = await sessionUser(ctx, pool, stored);
  const { choices: _choices, ...carried } = stored.state;
  return factorChallenge(ctx, pool, client, user, picked as MfaFactor, carried);
}

/**
 * MFA_SETUP, answered with the session VerifySoftwareToken returned: the authenticator is registered and
 * turned on (verify-software-token.ts), so the sign-in is complete.
 */
export async function answerMfaSetup(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session } = answer;
  const stored = await takeSession(ctx, client, session, 'MFA_SETUP');
  // A session from before VerifySoftwareToken: nothing has been set up.
  if (stored.state.stage !== 'verified') throw new NotAuthorizedException('Invalid session for the user.');
  const user = await sessionUser(ctx, pool, stored);
  return afterFactors(ctx, pool, client, user, await sessionDevice(ctx, user, stored.state), session);
}
