import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserMfa } from '../../storage/user-mfa-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { randomString } from '../ids.js';
import { CONTACT, poolFactors, preferenceOf, readUserMfa, signInFactors, type MfaFactor } from '../mfa/factors.js';
import { sendAuthenticationCode } from '../users/messages.js';
import { openPoolSession, openSession } from './auth-sessions.js';
import type { SignInStep } from './sign-in-outcome.js';

/** What the session of an SMS or email code challenge keeps: the code's keyed hash, and the wrong guesses so far. */
export interface CodeChallengeState extends Record<string, unknown> {
  codeHash?: string;
  attempts?: number;
  /** The challenge of a user that does not exist, which no code answers (choice-sign-in.ts). */
  pretend?: boolean;
}

/**
 * The keyed hash a sent code is kept as: a leaked session table does not give the million codes away. It
 * binds the address the code went to, so a code sent before the user's phone number or email changed
 * proves nothing about the new one (a right answer marks the address verified: mfa-answers.ts).
 */
export function mfaCodeHash(ctx: ServiceContext, user: StoredUser, factor: MfaFactor, code: string): string {
  const contact = CONTACT[factor];
  const sentTo = contact ? user.attributes[contact] : '';
  return ctx.secrets.mac(`mfa-code:${user.poolId}:${user.usernameKey}:${factor}:${JSON.stringify(sentTo)}:${code}`);
}

/**
 * The second factor a sign-in must pass, if any, after the password is proven (signInFactors): the
 * preferred one, the only one, or SELECT_MFA_TYPE to choose; when the pool requires MFA and the user has
 * no means for any factor yet, MFA_SETUP to register an authenticator.
 * `carried` is state of the sign-in the challenge's session keeps for the steps after it (its device).
 */
export async function mfaChallengeFor(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  user: StoredUser,
  carried: Record<string, unknown> = {},
): Promise<SignInStep | undefined> {
  const mode = pool.settings.userPool.MfaConfiguration ?? 'OFF';
  if (mode === 'OFF') return undefined;
  const mfa = await readUserMfa(ctx, user);
  const factors = signInFactors(pool, user, mfa);
  if (factors.length > 0) {
    const preferred = factors.find((factor) => preferenceOf(mfa, factor).preferred);
    if (preferred || factors.length === 1) return factorChallenge(ctx, pool, client, user, preferred ?? factors[0], carried);
    return {
      ChallengeName: 'SELECT_MFA_TYPE',
      Session: await openSession(ctx, client, user.usernameKey, 'SELECT_MFA_TYPE', { ...carried, choices: factors }),
      ChallengeParameters: { MFAS_CAN_CHOOSE: JSON.stringify(factors) },
    };
  }
  if (mode === 'OPTIONAL') return undefined;
  return {
    ChallengeName: 'MFA_SETUP',
    // AssociateSoftwareToken takes this session without a ClientId: it names its pool.
    Session: await openPoolSession(ctx, client, user.usernameKey, 'MFA_SETUP', carried),
    ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(poolFactors(pool)) },
  };
}

/**
 * The challenge of one factor. SMS and email codes are six digits, sent now, kept only as a keyed hash in
 * the challenge's session, and so single-use and expiring with it (AuthSessionValidity, three minutes
 * unless the client says otherwise). `challenge` is the name it is asked under: the factor's own, or SMS_OTP
 * when a texted code is the first factor of a choice-based sign-in (choice-sign-in.ts).
 */
export async function factorChallenge(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  user: StoredUser,
  factor: MfaFactor,
  carried: Record<string, unknown> = {},
  challenge: ChallengeNameType = factor,
): Promise<SignInStep> {
  if (factor === 'SOFTWARE_TOKEN_MFA') {
    return { ChallengeName: factor, Session: await openSession(ctx, client, user.usernameKey, factor, carried), ChallengeParameters: {} };
  }
  const code = randomString(ctx.randomBytes, 6, '0123456789');
  const details = await sendAuthenticationCode(ctx, pool, user, factor === 'SMS_MFA' ? 'SMS' : 'EMAIL', code, client.clientId);
  const state: CodeChallengeState = { ...carried, codeHash: mfaCodeHash(ctx, user, factor, code), attempts: 0 };
  return {
    ChallengeName: challenge,
    Session: await openSession(ctx, client, user.usernameKey, challenge, state),
    ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: details.DeliveryMedium!, CODE_DELIVERY_DESTINATION: details.Destination! },
  };
}
