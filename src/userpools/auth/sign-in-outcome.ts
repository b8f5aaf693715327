import type { AuthenticationResultType, ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { PasswordResetRequiredException, UserNotConfirmedException } from '../errors.js';
import type { PasswordCredentials } from '../users/password-store.js';
import { openSession } from './auth-sessions.js';
import { recordSuccessfulSignIn } from './account-protection.js';
import { mfaChallengeFor } from './mfa-challenges.js';
import { completeSignIn } from './tokens.js';

/** What InitiateAuth and RespondToAuthChallenge answer: tokens, or the next challenge. */
export interface SignInStep {
  AuthenticationResult?: AuthenticationResultType;
  ChallengeName?: ChallengeNameType;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}

/** The attributes a user must supply with a new password: required by the schema, and missing. */
export function missingRequiredAttributes(pool: StoredUserPool, attributes: Record<string, string>): string[] {
  return (pool.settings.userPool.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub' && !attributes[a.Name!]).map((a) => a.Name!);
}

/**
 * After the password is proven (by USER_PASSWORD_AUTH or SRP): the user's state decides what comes
 * next — a new-password challenge, an MFA challenge, tokens, or Cognito's error for that state.
 */
export async function afterPasswordVerified(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser): Promise<SignInStep> {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  if (user.status === 'FORCE_CHANGE_PASSWORD' || (user.credentials as PasswordCredentials | null)?.temporary) {
    await recordSuccessfulSignIn(ctx, user);
    const expiresAt = (user.credentials as PasswordCredentials | null)?.expiresAt;
    if (expiresAt !== undefined && expiresAt <= ctx.now().getTime()) {
      throw new NotAuthorizedException('Temporary password has expired and must be reset by an administrator.');
    }
    const visible = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name !== 'sub'));
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: await openSession(ctx, client, user.usernameKey, 'NEW_PASSWORD_REQUIRED'),
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: JSON.stringify(missingRequiredAttributes(pool, user.attributes).map((name) => `userAttributes.${name}`)),
        userAttributes: JSON.stringify(visible),
      },
    };
  }
  return secondFactorOrTokens(ctx, pool, client, user);
}

/**
 * With the password proven (and replaced, if it was temporary): the MFA challenge the pool and the user
 * call for, or tokens. The failed-sign-in counter is reset only when the sign-in completes, so that the
 * password alone cannot reset the count of wrong MFA codes and buy endless guesses.
 */
export async function secondFactorOrTokens(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser): Promise<SignInStep> {
  const challenge = await mfaChallengeFor(ctx, pool, client, user);
  if (challenge) return challenge;
  return signInCompleted(ctx, pool, client, user);
}

/** Every factor passed: the account's failed-attempt count starts again, and the tokens. */
export async function signInCompleted(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser): Promise<SignInStep> {
  await recordSuccessfulSignIn(ctx, user);
  return { AuthenticationResult: await completeSignIn(ctx, { pool, client, user }) };
}
