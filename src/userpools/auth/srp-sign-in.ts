import type { ServiceContext } from '../../context.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { UserNotFoundException } from '../errors.js';
import type { PasswordCredentials } from '../users/password-store.js';
import { findUser } from '../users/sign-in-names.js';
import { recordFailedSignIn, refuseIfLocked } from './account-protection.js';
import { openSession, takeSession } from './auth-sessions.js';
import { incorrectCredentials } from './password-sign-in.js';
import { afterPasswordVerified, type SignInStep } from './sign-in-outcome.js';
import { createSrpVerifier, parseSrpTimestamp, startSrpSession, verifyPasswordClaim } from './srp.js';

/** How far the client's TIMESTAMP may be from the server's clock. */
const TIMESTAMP_SKEW_MS = 5 * 60_000;

interface SrpState extends Record<string, unknown> {
  srpA: string;
  srpB: string;
  b: string;
  /** The sign-in of a user that does not exist, which must fail exactly like a wrong password. */
  pretend?: boolean;
}

const poolNameOf = (pool: StoredUserPool) => pool.id.slice(pool.id.indexOf('_') + 1);

/**
 * USER_SRP_AUTH, first step: answer SRP_A with the PASSWORD_VERIFIER challenge. The server state (b, B)
 * lives in a challenge session whose token travels as SECRET_BLOCK, which the client signs and returns.
 */
export async function startSrpSignIn(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, name: string, srpA: string): Promise<SignInStep> {
  const user = await findUser(ctx, pool, name);
  let verifier: { salt: string; verifier: string };
  let userId: string;
  if (user) {
    refuseIfLocked(ctx, user);
    const srp = (user.credentials as PasswordCredentials | null)?.srp;
    userId = user.username;
    verifier = srp ?? createSrpVerifier(poolNameOf(pool), userId, ctx.randomBytes(32).toString('hex'), ctx.randomBytes);
  } else {
    if (client.settings.PreventUserExistenceErrors !== 'ENABLED') throw new UserNotFoundException('User does not exist.');
    // A challenge that looks like any other, against a verifier nobody knows the password of.
    userId = name;
    verifier = createSrpVerifier(poolNameOf(pool), userId, ctx.randomBytes(32).toString('hex'), ctx.randomBytes);
  }
  let server: { srpB: string; b: string };
  try {
    server = startSrpSession(verifier.verifier, srpA, ctx.randomBytes);
  } catch {
    throw incorrectCredentials();
  }
  const state: SrpState = { srpA, srpB: server.srpB, b: server.b, salt: verifier.salt, verifier: verifier.verifier, ...(!user && { pretend: true }) };
  const session = await openSession(ctx, client, user?.usernameKey ?? `?${name}`, 'PASSWORD_VERIFIER', state);
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: verifier.salt,
      SRP_B: server.srpB,
      SECRET_BLOCK: Buffer.from(session, 'base64url').toString('base64'),
      USER_ID_FOR_SRP: userId,
      USERNAME: userId,
    },
  };
}

/** USER_SRP_AUTH, second step: check PASSWORD_CLAIM_SIGNATURE, then continue as any password sign-in. */
export async function answerPasswordVerifier(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  responses: Record<string, string>,
): Promise<SignInStep> {
  const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK ?? '';
  const session = await takeSession(ctx, client, Buffer.from(secretBlock, 'base64').toString('base64url'), 'PASSWORD_VERIFIER');
  const state = session.state as SrpState & { salt: string; verifier: string };
  const timestamp = parseSrpTimestamp(responses.TIMESTAMP ?? '');
  const fresh = timestamp !== undefined && Math.abs(timestamp.getTime() - ctx.now().getTime()) <= TIMESTAMP_SKEW_MS;
  const user = state.pretend ? undefined : await ctx.repos.users.get(pool.id, session.usernameKey);
  if (!user) throw incorrectCredentials();
  refuseIfLocked(ctx, user);
  const proven =
    fresh &&
    verifyPasswordClaim({
      poolName: poolNameOf(pool),
      userIdForSrp: user.username,
      verifierHex: state.verifier,
      srpAHex: state.srpA,
      srpBHex: state.srpB,
      bHex: state.b,
      secretBlockBase64: secretBlock,
      timestamp: responses.TIMESTAMP,
      signatureBase64: responses.PASSWORD_CLAIM_SIGNATURE ?? '',
    });
  if (!proven) {
    await recordFailedSignIn(ctx, user);
    throw incorrectCredentials();
  }
  return afterPasswordVerified(ctx, pool, client, user);
}
