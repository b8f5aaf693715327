import type { AuthenticationResultType, ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredAuthSession } from '../../storage/auth-sessions-repository.js';
import type { StoredDevice } from '../../storage/devices-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { deviceTracking, deviceWaivesMfa, newDeviceMetadata } from '../devices/devices.js';
import { postAuthentication } from '../../triggers/authentication.js';
import { PasswordResetRequiredException, UserNotConfirmedException } from '../errors.js';
import type { PasswordCredentials } from '../users/password-store.js';
import { openSession, storeSession } from './auth-sessions.js';
import { recordSuccessfulSignIn, refuseIfLocked } from './account-protection.js';
import { mfaChallengeFor } from './mfa-challenges.js';
import { completeSignIn } from './tokens.js';

/**
 * Where a sign-in stands: the next challenge, tokens (a refresh), or `completed` — every factor passed.
 * A completed sign-in is answered by its door: the API with tokens (tokensForCompleted), the hosted UI
 * with an authorization code, so the pages never mint API tokens they would only throw away.
 */
export interface SignInStep {
  AuthenticationResult?: AuthenticationResultType;
  ChallengeName?: ChallengeNameType;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  /** SELECT_CHALLENGE's choices (choice-sign-in.ts). */
  AvailableChallenges?: ChallengeNameType[];
  completed?: { user: StoredUser; deviceKey?: string };
}

/** The attributes a user must supply with a new password: required by the schema, and missing. */
export function missingRequiredAttributes(pool: StoredUserPool, attributes: Record<string, string>): string[] {
  return (pool.settings.userPool.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub' && !attributes[a.Name!]).map((a) => a.Name!);
}

/**
 * A user partway through a sign-in may go on: still enabled (an administrator may have disabled them
 * since the challenge was issued) and not locked by failed attempts.
 */
export function requireAllowedToSignIn(ctx: ServiceContext, user: StoredUser): void {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  refuseIfLocked(ctx, user);
}

/** The user of a challenge session, still allowed to sign in. */
export async function sessionUser(ctx: ServiceContext, pool: StoredUserPool, session: StoredAuthSession): Promise<StoredUser> {
  const user = await ctx.repos.users.get(pool.id, session.usernameKey);
  if (!user) throw new NotAuthorizedException('Invalid session for the user.');
  requireAllowedToSignIn(ctx, user);
  return user;
}

/** The state a challenge session keeps about the sign-in's device, for the steps after it. */
const deviceState = (device: StoredDevice | undefined) => (device ? { deviceKey: device.deviceKey } : {});

/**
 * A user who must reset a password they never had (imported from a CSV file, or migrated by the pool's
 * function without one): no password can be proven, so a password sign-in answers as Cognito's does for
 * imported users, PasswordResetRequiredException, which tells the app to start ForgotPassword.
 */
export function refuseIfNoPasswordYet(user: StoredUser): void {
  if (user.status === 'RESET_REQUIRED' && user.credentials === null) throw new PasswordResetRequiredException('Password reset required for the user');
}

/**
 * After the password is proven (by USER_PASSWORD_AUTH or SRP), from `device` when the sign-in named a
 * confirmed one: the user's state decides what comes next — a new-password challenge, an MFA challenge, the
 * device challenge, tokens, or Cognito's error for that state.
 */
export async function afterPasswordVerified(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  user: StoredUser,
  device?: StoredDevice,
): Promise<SignInStep> {
  if (!user.enabled) throw new NotAuthorizedException('User is disabled.');
  if (user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
  if (user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
  if (user.status === 'FORCE_CHANGE_PASSWORD' || (user.credentials as PasswordCredentials | null)?.temporary) {
    const expiresAt = (user.credentials as PasswordCredentials | null)?.expiresAt;
    if (expiresAt !== undefined && expiresAt <= ctx.now().getTime()) {
      throw new NotAuthorizedException('Temporary password has expired and must be reset by an administrator.');
    }
    const visible = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name !== 'sub'));
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: await openSession(ctx, client, user.usernameKey, 'NEW_PASSWORD_REQUIRED', deviceState(device)),
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: JSON.stringify(missingRequiredAttributes(pool, user.attributes).map((name) => `userAttributes.${name}`)),
        userAttributes: JSON.stringify(visible),
      },
    };
  }
  return secondFactorOrTokens(ctx, pool, client, user, device);
}

/**
 * With the password proven (and replaced, if it was temporary): the MFA challenge the pool and the user
 * call for — unless a remembered device stands in for it (deviceWaivesMfa; the device must then still prove
 * itself) — then the device challenge or tokens. The failed-sign-in counter is reset only when the sign-in
 * completes, so that the password alone cannot reset the count of wrong MFA codes and buy endless guesses.
 */
export async function secondFactorOrTokens(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  user: StoredUser,
  device?: StoredDevice,
): Promise<SignInStep> {
  if (!deviceWaivesMfa(pool, device)) {
    const challenge = await mfaChallengeFor(ctx, pool, client, user, deviceState(device));
    if (challenge) return challenge;
  }
  return afterFactors(ctx, pool, client, user, device);
}

/**
 * Every factor of the user passed. A sign-in from a confirmed device proves the device too before it gets
 * tokens (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER: device-sign-in.ts), whether or not the device is
 * remembered; any other sign-in is complete. After an MFA answer, `answered` is that answer's session,
 * which the DEVICE_SRP_AUTH challenge takes over (see storeSession).
 */
export async function afterFactors(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  user: StoredUser,
  device?: StoredDevice,
  answered?: string,
): Promise<SignInStep> {
  if (!device) return signInCompleted(ctx, pool, client, user);
  const session = answered
    ? await storeSession(ctx, client, answered, user.usernameKey, 'DEVICE_SRP_AUTH', deviceState(device))
    : await openSession(ctx, client, user.usernameKey, 'DEVICE_SRP_AUTH', deviceState(device));
  return {
    ChallengeName: 'DEVICE_SRP_AUTH',
    Session: session,
    ChallengeParameters: { USERNAME: user.username, DEVICE_KEY: device.deviceKey },
  };
}

/** Every factor passed: the account's failed-attempt count starts again, and the sign-in is complete. */
export async function signInCompleted(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser, deviceKey?: string): Promise<SignInStep> {
  // A sign-in without a device, in a pool that tracks them, gets a new one (tokensForCompleted).
  await postAuthentication(ctx, pool, client, user, !deviceKey && Boolean(deviceTracking(pool)));
  await recordSuccessfulSignIn(ctx, user);
  return { completed: { user, ...(deviceKey && { deviceKey }) } };
}

/**
 * The API's answer to a step (InitiateAuth, RespondToAuthChallenge and their Admin forms): a completed
 * sign-in gets its tokens, bound to the device it proved. Without one, in a pool that tracks devices, it
 * gets a new device (NewDeviceMetadata) for the client to confirm, and its tokens are bound to it already.
 */
export async function tokensForCompleted(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, step: SignInStep): Promise<SignInStep> {
  if (!step.completed) return step;
  const { user, deviceKey } = step.completed;
  const newDevice = !deviceKey && deviceTracking(pool) ? newDeviceMetadata(ctx, pool) : undefined;
  const boundTo = deviceKey ?? newDevice?.DeviceKey;
  const tokens = await completeSignIn(ctx, { pool, client, user, ...(boundTo && { deviceKey: boundTo }) });
  return { AuthenticationResult: { ...tokens, ...(newDevice && { NewDeviceMetadata: newDevice }) } };
}
