import type { ServiceContext } from '../../context.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredAuthSession } from '../../storage/auth-sessions-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { hidesUserExistence } from '../client-requests.js';
import { signInDevice } from '../devices/devices.js';
import { UserNotFoundException } from '../errors.js';
import type { PasswordCredentials } from '../users/password-store.js';
import { findUser, usernameKey } from '../users/sign-in-names.js';
import { recordFailedSignIn, refuseIfLocked } from './account-protection.js';
import { openSession, returnSession, takeSession } from './auth-sessions.js';
import { incorrectCredentials } from './password-sign-in.js';
import { afterPasswordVerified, refuseIfNoPasswordYet, type SignInStep } from './sign-in-outcome.js';
import { createSrpVerifier, parseSrpTimestamp, SrpError, startSrpSession, verifyPasswordClaim } from './srp.js';
import type { ChallengeAnswer } from './challenge-answer.js';
import { continueCustomSignIn, type ChallengeResult } from './custom-sign-in.js';

/** How far the client's TIMESTAMP may be from the server's clock. */
const TIMESTAMP_SKEW_MS = 5 * 60_000;

/** What the session of an SRP challenge keeps: the exchange so far, and the verifier it runs against. */
export interface SrpState extends Record<string, unknown> {
  srpA: string;
  srpB: string;
  b: string;
  salt: string;
  verifier: string;
}

interface UserSrpState extends SrpState {
  /** The sign-in of a user that does not exist, which must fail exactly like a wrong password. */
  pretend?: boolean;
  /** The DEVICE_KEY of InitiateAuth, used when the challenge answer names none. */
  deviceKey?: string;
  /** A custom authentication's challenges so far, when the password is one of them (custom-sign-in.ts). */
  custom?: ChallengeResult[];
}

/** The SRP identity whose secret a claim proves: a user (pool name, username) or a device (group key, device key). */
interface SrpIdentity {
  poolName: string;
  userIdForSrp: string;
}

const poolNameOf = (pool: StoredUserPool) => pool.id.slice(pool.id.indexOf('_') + 1);

/** An SRP challenge to open: whose, which, against what verifier, and the state its session keeps. */
interface SrpChallengeRequest {
  usernameKey: string;
  challenge: 'PASSWORD_VERIFIER' | 'DEVICE_PASSWORD_VERIFIER';
  verifier: { salt: string; verifier: string };
  srpA: string;
  state: Record<string, unknown>;
  /** The flow's answer to a bad SRP_A (not a hex number, or A mod N = 0): its wrong-credentials error. */
  refusal: () => Error;
}

/**
 * Answers SRP_A against a verifier: draws the server's secret, and opens the challenge's session, whose
 * token travels as SECRET_BLOCK (which the client signs and sends back). A bad SRP_A is the flow's refusal,
 * before any secret is derived.
 */
export async function openSrpChallenge(
  ctx: ServiceContext,
  client: StoredAppClient,
  request: SrpChallengeRequest,
): Promise<{ srpB: string; secretBlock: string; session: string }> {
  let server: { srpB: string; b: string };
  try {
    server = startSrpSession(request.verifier.verifier, request.srpA, ctx.randomBytes);
  } catch (error) {
    if (error instanceof SrpError) throw request.refusal();
    throw error;
  }
  const { salt, verifier } = request.verifier;
  const state: SrpState = { ...request.state, srpA: request.srpA, srpB: server.srpB, b: server.b, salt, verifier };
  const session = await openSession(ctx, client, request.usernameKey, request.challenge, state);
  return { srpB: server.srpB, secretBlock: Buffer.from(session, 'base64url').toString('base64'), session };
}

/** The session of an SRP challenge, found by the PASSWORD_CLAIM_SECRET_BLOCK the client signed. */
export function takeSrpChallenge(ctx: ServiceContext, client: StoredAppClient, responses: Record<string, string>, challenge: string): Promise<StoredAuthSession> {
  return takeSession(ctx, client, Buffer.from(responses.PASSWORD_CLAIM_SECRET_BLOCK ?? '', 'base64').toString('base64url'), challenge);
}

/** True when PASSWORD_CLAIM_SIGNATURE proves `identity`'s secret against the session's exchange, with a fresh TIMESTAMP. */
export function claimHolds(ctx: ServiceContext, state: SrpState, identity: SrpIdentity, responses: Record<string, string>): boolean {
  const timestamp = parseSrpTimestamp(responses.TIMESTAMP ?? '');
  const fresh = timestamp !== undefined && Math.abs(timestamp.getTime() - ctx.now().getTime()) <= TIMESTAMP_SKEW_MS;
  return (
    fresh &&
    verifyPasswordClaim({
      ...identity,
      verifierHex: state.verifier,
      srpAHex: state.srpA,
      srpBHex: state.srpB,
      bHex: state.b,
      secretBlockBase64: responses.PASSWORD_CLAIM_SECRET_BLOCK ?? '',
      timestamp: responses.TIMESTAMP ?? '',
      signatureBase64: responses.PASSWORD_CLAIM_SIGNATURE ?? '',
    })
  );
}

/**
 * USER_SRP_AUTH, first step: answer SRP_A with the PASSWORD_VERIFIER challenge. The server state (b, B)
 * lives in a challenge session whose token travels as SECRET_BLOCK, which the client signs and returns.
 */
export async function startSrpSignIn(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  srpA: string,
  deviceKey: string | undefined,
): Promise<SignInStep> {
  const user = await findUser(ctx, pool, name);
  if (user) {
    refuseIfLocked(ctx, user);
    refuseIfNoPasswordYet(user);
  } else if (!hidesUserExistence(client)) throw new UserNotFoundException('User does not exist.');
  return passwordVerifierChallenge(ctx, pool, client, { user, name }, srpA, deviceKey ? { deviceKey } : {});
}

/**
 * A user that does not exist, as a PASSWORD_VERIFIER challenge shows it when the client hides user
 * existence: as Cognito, an internal id in UUID form and a salt that are the same for the same name every
 * time (a fresh random salt per request, or the name typed back, told a missing user from a real one).
 * Keyed hashes of the pool and the name, so nobody else can compute them.
 */
function unknownUser(ctx: ServiceContext, pool: StoredUserPool, name: string): { userId: string; salt: Buffer } {
  const bytes = Buffer.from(ctx.secrets.mac(`srp-unknown-user\u0000${pool.id}\u0000${usernameKey(pool, name)}`), 'base64url');
  const hex = bytes.subarray(0, 16).toString('hex');
  const variant = (8 | (bytes[8]! & 3)).toString(16);
  return { userId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`, salt: bytes.subarray(16, 32) };
}

/**
 * The PASSWORD_VERIFIER challenge for SRP_A: of `user`, or of a user that does not exist (a challenge that
 * looks like any other, against a verifier nobody knows the password of). `state` goes with the session.
 */
export async function passwordVerifierChallenge(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  { user, name }: { user: StoredUser | undefined; name: string },
  srpA: string,
  state: Partial<UserSrpState>,
): Promise<SignInStep> {
  const unknown = user ? undefined : unknownUser(ctx, pool, name);
  const userId = user?.username ?? unknown!.userId;
  const verifier =
    (user?.credentials as PasswordCredentials | null | undefined)?.srp ??
    createSrpVerifier(poolNameOf(pool), userId, ctx.randomBytes(32).toString('hex'), () => unknown?.salt ?? ctx.randomBytes(16));
  const challenge = await openSrpChallenge(ctx, client, {
    usernameKey: user?.usernameKey ?? `?${name}`,
    challenge: 'PASSWORD_VERIFIER',
    verifier,
    srpA,
    state: { ...state, ...(!user && { pretend: true }) },
    refusal: incorrectCredentials,
  });
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: verifier.salt,
      SRP_B: challenge.srpB,
      SECRET_BLOCK: challenge.secretBlock,
      USER_ID_FOR_SRP: userId,
      USERNAME: userId,
    },
  };
}

/**
 * USER_SRP_AUTH, second step: check PASSWORD_CLAIM_SIGNATURE, then continue as any password sign-in, from
 * the device the answer's DEVICE_KEY names (or InitiateAuth's, when the answer names none).
 */
export async function answerPasswordVerifier(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, responses } = answer;
  const session = await takeSrpChallenge(ctx, client, responses, 'PASSWORD_VERIFIER');
  const state = session.state as UserSrpState;
  const user = state.pretend ? undefined : await ctx.repos.users.get(pool.id, session.usernameKey);
  if (!user) throw incorrectCredentials();
  refuseIfLocked(ctx, user);
  if (!claimHolds(ctx, state, { poolName: poolNameOf(pool), userIdForSrp: user.username }, responses)) {
    await recordFailedSignIn(ctx, user);
    throw incorrectCredentials();
  }
  if (state.custom) {
    const challenges = [...state.custom, { challengeName: 'PASSWORD_VERIFIER', challengeResult: true }];
    return continueCustomSignIn(ctx, pool, client, { user, name: user.username }, challenges, answer.clientMetadata);
  }
  const device = await signInDevice(ctx, pool, user, responses.DEVICE_KEY ?? state.deviceKey).catch(async (error: unknown) => {
    // The client retries this very answer without its stale device (see signInDevice): the session must
    // still be there, and no longer name the device InitiateAuth sent.
    const { deviceKey: _stale, ...rest } = state;
    await returnSession(ctx, session, rest);
    throw error;
  });
  return afterPasswordVerified(ctx, pool, client, user, device);
}
