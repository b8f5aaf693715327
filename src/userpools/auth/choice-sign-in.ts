import type { AuthFactorType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserMfa } from '../../storage/user-mfa-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { hidesUserExistence } from '../client-requests.js';
import { signInDevice } from '../devices/devices.js';
import { UserNotConfirmedException, UserNotFoundException } from '../errors.js';
import { preferenceOf, readUserMfa, signInFactors } from '../mfa/factors.js';
import { takeCodeMessage } from '../users/codes.js';
import { findUser, usernameKey } from '../users/sign-in-names.js';
import { hasVerifiedContact, simulatedDelivery } from '../users/verification.js';
import { passkeysAllowed } from '../passkeys/relying-party.js';
import { allowedFirstAuthFactors } from '../user-pool-settings.js';
import { openSession, returnSession, takeSession } from './auth-sessions.js';
import { requiredParameter } from './auth-flows.js';
import type { ChallengeAnswer } from './challenge-answer.js';
import { factorChallenge, type CodeChallengeState } from './mfa-challenges.js';
import { hasPasskey, passkeyChallenge } from './passkey-sign-in.js';
import { signInWithPassword } from './password-sign-in.js';
import { requireAllowedToSignIn, secondFactorOrTokens, type SignInStep } from './sign-in-outcome.js';
import { startSrpSignIn } from './srp-sign-in.js';

/** The first factors of a choice-based sign-in (USER_AUTH), by the challenge names a client picks them with. */
type FirstFactor = 'PASSWORD' | 'PASSWORD_SRP' | 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP';

/**
 * Each one-time-password first factor: the verified contact it goes to, and the second factor whose code,
 * message (EmailMfaConfiguration's, SmsAuthenticationMessage) and checking it shares.
 */
const ONE_TIME_PASSWORDS = {
  EMAIL_OTP: { contact: 'email', factor: 'EMAIL_OTP', medium: 'EMAIL' },
  SMS_OTP: { contact: 'phone_number', factor: 'SMS_MFA', medium: 'SMS' },
} as const;
type OneTimePassword = keyof typeof ONE_TIME_PASSWORDS;
const isOneTimePassword = (factor: FirstFactor): factor is OneTimePassword => factor in ONE_TIME_PASSWORDS;

/** The one-time passwords the pool allows, in the order AvailableChallenges lists them. */
const allowedOneTimePasswords = (pool: StoredUserPool): OneTimePassword[] =>
  (Object.keys(ONE_TIME_PASSWORDS) as OneTimePassword[]).filter((otp) => allowedFirstAuthFactors(pool).includes(otp));

/** Whether one-time passwords may sign users in (the hosted UI then offers to send one). */
export const allowsOneTimePasswords = (pool: StoredUserPool): boolean => allowedOneTimePasswords(pool).length > 0;

/**
 * The contacts a user without a password could be sent a sign-in code at: those of the one-time passwords
 * the pool allows. Only these make a user without a password possible (passwordless-users.ts): a passkey
 * is registered by a user who is signed in already.
 */
export const passwordlessContacts = (pool: StoredUserPool): ('email' | 'phone_number')[] =>
  allowedOneTimePasswords(pool).map((otp) => ONE_TIME_PASSWORDS[otp].contact);

/** The passwordless factors the pool allows, as a user with every means for them is offered them. */
const allowedPasswordless = (pool: StoredUserPool): FirstFactor[] => [...(passkeysAllowed(pool) ? (['WEB_AUTHN'] as const) : []), ...allowedOneTimePasswords(pool)];

const passwordFactors = (pool: StoredUserPool): FirstFactor[] => (allowedFirstAuthFactors(pool).includes('PASSWORD') ? ['PASSWORD', 'PASSWORD_SRP'] : []);

/**
 * The first factors this user may choose from:
 * - PASSWORD and PASSWORD_SRP, when the user has a password (one who signed up without has none);
 * - passwordless ones the pool allows and the user has the means for — a registered passkey, an email
 *   address or phone number a one-time password may go to (reachableContact) — for a confirmed user who signs in without
 *   MFA. Cognito keeps MFA and passwordless sign-in apart: in a pool that requires MFA, or for a user who
 *   turned a factor on, the password (then the second factor) is the way in.
 */
async function firstFactorsOf(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser): Promise<FirstFactor[]> {
  const factors = user.credentials ? passwordFactors(pool) : [];
  if (user.status !== 'CONFIRMED' || pool.settings.userPool.MfaConfiguration === 'ON') return factors;
  const reachable: FirstFactor[] = [];
  for (const factor of allowedPasswordless(pool)) {
    if (factor === 'WEB_AUTHN' ? await hasPasskey(ctx, user) : isOneTimePassword(factor) && reachableContact(user, factor)) reachable.push(factor);
  }
  if (reachable.length === 0 || signInFactors(pool, user, await readUserMfa(ctx, user)).length > 0) return factors;
  return [...factors, ...reachable];
}

/**
 * GetUserAuthFactors' ConfiguredUserAuthFactors: what the user has the means for, in either role — a
 * password; a one-time password the pool allows to a contact it may go to, or turned on as MFA; a passkey;
 * an authenticator app (MFA only).
 */
export async function configuredAuthFactors(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, mfa: StoredUserMfa): Promise<AuthFactorType[]> {
  const allowed = allowedOneTimePasswords(pool);
  const oneTime = (otp: OneTimePassword) => (allowed.includes(otp) && reachableContact(user, otp)) || preferenceOf(mfa, ONE_TIME_PASSWORDS[otp].factor).enabled;
  const factors: AuthFactorType[] = user.credentials ? ['PASSWORD'] : [];
  if (oneTime('EMAIL_OTP')) factors.push('EMAIL_OTP');
  if (oneTime('SMS_OTP')) factors.push('SMS_OTP');
  if (passkeysAllowed(pool) && (await hasPasskey(ctx, user))) factors.push('WEB_AUTHN');
  if (preferenceOf(mfa, 'SOFTWARE_TOKEN_MFA').enabled) factors.push('SOFTWARE_TOKEN');
  return factors;
}

/**
 * Whether a one-time password may go to the user's contact for it: a verified one. A user without a
 * password (AdminCreateUser gave them none, and the contact with it) has no other way in, so theirs may
 * be unverified; the right code then verifies it, as an MFA code does (markContactVerified). Codes never
 * go to an unverified address of a user who has a password: a mistyped address would hand the account to
 * whoever holds it.
 */
const reachableContact = (user: StoredUser, otp: OneTimePassword): boolean => {
  const { contact } = ONE_TIME_PASSWORDS[otp];
  return hasVerifiedContact(user, contact) || (!user.credentials && Boolean(user.attributes[contact]));
};

/**
 * USER_AUTH: the PREFERRED_CHALLENGE when this user may use it — a PASSWORD checked at once (it comes
 * along), SRP's PASSWORD_VERIFIER for an SRP_A, a passkey's WEB_AUTHN options, a one-time password sent —
 * and otherwise SELECT_CHALLENGE with the user's factors in AvailableChallenges.
 *
 * A user that does not exist, under PreventUserExistenceErrors, is offered everything the pool allows;
 * passwords then fail as wrong passwords do, a passkey challenge lists no passkey and refuses every
 * answer, and a one-time password is "sent" to a simulated destination in a challenge no code answers.
 */
export async function startChoiceSignIn(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  params: Record<string, string>,
  session: string | undefined,
): Promise<SignInStep> {
  if (session) return signInAfterSignUp(ctx, pool, client, name, session);
  const { user, factors } = await choicesFor(ctx, pool, client, name);
  const preferred = factors.find((factor) => factor === params.PREFERRED_CHALLENGE);
  if (preferred) return startFactor(ctx, pool, client, name, user, preferred, params);
  return {
    ChallengeName: 'SELECT_CHALLENGE',
    Session: await openSession(ctx, client, user?.usernameKey ?? `?${name}`, 'SELECT_CHALLENGE', { choices: factors, ...(!user && { name }) }),
    ChallengeParameters: {},
    AvailableChallenges: factors,
  };
}

/**
 * Who signs in as `name`, and with what they may start. A user that does not exist is UserNotFoundException,
 * or, where the client hides user existence, is offered everything the pool allows.
 */
async function choicesFor(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, name: string): Promise<{ user?: StoredUser; factors: FirstFactor[] }> {
  const user = await findUser(ctx, pool, name);
  if (!user) {
    if (!hidesUserExistence(client)) throw new UserNotFoundException('User does not exist.');
    return { factors: [...passwordFactors(pool), ...allowedPasswordless(pool)] };
  }
  const factors = await firstFactorsOf(ctx, pool, user);
  // A user without a password who has not confirmed the sign-up has nothing to sign in with yet: Cognito's
  // error sends an app (Amplify) to confirming the account.
  if (factors.length === 0 && user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  return { user, factors };
}

/** What the session ConfirmSignUp returns is kept as (a challenge no client names). */
const CONFIRMED_SIGN_UP = 'CONFIRMED_SIGN_UP';

/** ConfirmSignUp's Session: the code just confirmed stands for the first factor of one sign-in soon after. */
export function openConfirmedSignUpSession(ctx: ServiceContext, client: StoredAppClient, user: StoredUser): Promise<string> {
  return openSession(ctx, client, user.usernameKey, CONFIRMED_SIGN_UP);
}

/**
 * USER_AUTH with ConfirmSignUp's Session, as Amplify's autoSignIn sends it: the user who confirmed, once,
 * within the client's AuthSessionValidity. The code counted as the first factor; any MFA the pool asks
 * of the user still follows.
 */
async function signInAfterSignUp(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, name: string, session: string): Promise<SignInStep> {
  const stored = await takeSession(ctx, client, session, CONFIRMED_SIGN_UP);
  const user = await findUser(ctx, pool, name);
  if (!user || user.usernameKey !== stored.usernameKey) {
    // Another name proves nothing and spends nothing: the session stays the confirmed user's.
    await returnSession(ctx, stored, stored.state);
    throw new NotAuthorizedException('Invalid session for the user.');
  }
  requireAllowedToSignIn(ctx, user);
  return secondFactorOrTokens(ctx, pool, client, user);
}

/**
 * SELECT_CHALLENGE: the factor picked (ANSWER) starts, with what it needs from the same responses (PASSWORD,
 * SRP_A), as from InitiateAuth's parameters.
 */
export async function answerSelectChallenge(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  const picked = requiredParameter(responses, 'ANSWER');
  const stored = await takeSession(ctx, client, session, 'SELECT_CHALLENGE');
  const choices = (stored.state.choices ?? []) as FirstFactor[];
  const factor = choices.find((choice) => choice === picked);
  if (!factor) {
    await returnSession(ctx, stored, stored.state);
    throw new InvalidParameterException(`Invalid ANSWER: choose one of ${choices.join(', ')}.`);
  }
  const pretendName = stored.state.name as string | undefined;
  const user = pretendName === undefined ? await ctx.repos.users.get(pool.id, stored.usernameKey) : undefined;
  if (pretendName === undefined && !user) throw new NotAuthorizedException('Invalid session for the user.');
  return startFactor(ctx, pool, client, user?.username ?? pretendName!, user, factor, responses);
}

/**
 * The hosted UI's "send me a sign-in code": the first one-time password this user may use (email before
 * SMS, as AvailableChallenges lists them), chosen as an app would choose it. Undefined when no code can
 * sign this user in (the page then asks for the password).
 */
export async function startOneTimePasswordSignIn(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, name: string): Promise<SignInStep | undefined> {
  const { user, factors } = await choicesFor(ctx, pool, client, name);
  const otp = factors.find(isOneTimePassword);
  return otp && sendOneTimePassword(ctx, pool, client, name, user, otp, undefined);
}

async function startFactor(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  user: StoredUser | undefined,
  factor: FirstFactor,
  params: Record<string, string>,
): Promise<SignInStep> {
  if (factor === 'PASSWORD') return signInWithPassword(ctx, pool, client, name, requiredParameter(params, 'PASSWORD'), params.DEVICE_KEY);
  if (factor === 'PASSWORD_SRP') return startSrpSignIn(ctx, pool, client, name, requiredParameter(params, 'SRP_A'), params.DEVICE_KEY);
  if (factor === 'WEB_AUTHN') return passkeyChallenge(ctx, pool, client, name, user, params.DEVICE_KEY);
  return sendOneTimePassword(ctx, pool, client, name, user, factor, params.DEVICE_KEY);
}

/**
 * EMAIL_OTP and SMS_OTP as the first factor: a code to the contact (reachableContact), answered as the second
 * factors' codes are; a right code completes the sign-in with no MFA after it (afterFactors). The codes a
 * name may be sent are limited (config codeMessageLimit), with LimitExceededException beyond.
 */
async function sendOneTimePassword(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  user: StoredUser | undefined,
  otp: OneTimePassword,
  deviceKey: string | undefined,
): Promise<SignInStep> {
  // Anyone who knows a name can ask for its codes: each is a message to someone's inbox or phone, counted
  // as ForgotPassword's are (per name, for names of nobody alike, before anything is looked at).
  await takeCodeMessage(ctx, pool.id, usernameKey(pool, name));
  const { factor, medium } = ONE_TIME_PASSWORDS[otp];
  if (!user) {
    const delivery = simulatedDelivery(pool, name, medium);
    const state: CodeChallengeState = { pretend: true, attempts: 0 };
    return {
      ChallengeName: otp,
      Session: await openSession(ctx, client, `?${name}`, otp, state),
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: delivery.DeliveryMedium!, CODE_DELIVERY_DESTINATION: delivery.Destination! },
    };
  }
  // No code goes to the inbox of a disabled or locked account.
  requireAllowedToSignIn(ctx, user);
  const device = await signInDevice(ctx, pool, user, deviceKey);
  return factorChallenge(ctx, pool, client, user, factor, device ? { deviceKey: device.deviceKey } : {}, otp);
}
