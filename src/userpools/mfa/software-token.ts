import type { ServiceContext } from '../../context.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredAuthSession } from '../../storage/auth-sessions-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { SoftwareTokenMFANotFoundException } from '../errors.js';
import { poolFactors } from './factors.js';
import { requireAllowedToSignIn } from '../auth/sign-in-outcome.js';

/** What an MFA_SETUP session keeps between AssociateSoftwareToken, VerifySoftwareToken and the challenge answer. */
export interface MfaSetupState extends Record<string, unknown> {
  /** Absent: just issued; `associated`: `secret` waits for a code; `verified`: the authenticator is registered. */
  stage?: 'associated' | 'verified';
  /** The associated secret, sealed for the user. */
  secret?: string;
  attempts?: number;
  /** The device the sign-in came from, carried to the challenge answer (sign-in-outcome.ts). */
  deviceKey?: string;
}

/** Cognito's TOTP guide: without TOTP on in the pool, tokens can be neither associated nor verified. */
export function requireSoftwareTokenMfa(pool: StoredUserPool): void {
  if (!poolFactors(pool).includes('SOFTWARE_TOKEN_MFA')) throw new SoftwareTokenMFANotFoundException('Software Token MFA has not been enabled by the userPool.');
}

/** The two operations take an access token or an MFA_SETUP session, never both. */
export function oneCredential(input: { AccessToken?: string; Session?: string }): 'AccessToken' | 'Session' {
  if (input.AccessToken && input.Session) throw new InvalidParameterException('Provide either an AccessToken or a Session, not both.');
  if (input.AccessToken) return 'AccessToken';
  if (input.Session) return 'Session';
  throw new InvalidParameterException('Missing required parameter AccessToken or Session');
}

/** The pool, app client and user of an MFA_SETUP session, all still there. */
export async function setupSessionParties(
  ctx: ServiceContext,
  session: StoredAuthSession,
): Promise<{ pool: StoredUserPool; client: StoredAppClient; user: StoredUser }> {
  const [pool, client, user] = await Promise.all([
    ctx.repos.userPools.get(session.poolId),
    ctx.repos.appClients.get(session.poolId, session.clientId),
    ctx.repos.users.get(session.poolId, session.usernameKey),
  ]);
  if (!pool || !client || !user) throw new NotAuthorizedException('Invalid session for the user.');
  requireAllowedToSignIn(ctx, user);
  return { pool, client, user };
}
