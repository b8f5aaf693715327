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
 * next — tokens, a new-password challenge, or Cognito's error for that state.
 */
export async function afterPasswordVerified(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser): Promise<SignInStep> {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  await recordSuccessfulSignIn(ctx, user);
  if (user.status === 'FORCE_CHANGE_PASSWORD' || (user.credentials as PasswordCredentials | null)?.temporary) {
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
  return { AuthenticationResult: await completeSignIn(ctx, { pool, client, user }) };
}
