import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { sessionDevice, signInDevice } from '../devices/devices.js';
import { readCredential, verified } from '../passkeys/client-data.js';
import { MAX_PASSKEYS_PER_USER } from '../passkeys/registration.js';
import { checkOrigin, relyingParty } from '../passkeys/relying-party.js';
import { recordFailedSignIn } from './account-protection.js';
import { openSession, takeSession } from './auth-sessions.js';
import { requiredParameter } from './auth-flows.js';
import type { ChallengeAnswer } from './challenge-answer.js';
import { afterFactors, requireAllowedToSignIn, sessionUser, type SignInStep } from './sign-in-outcome.js';

/** What the WEB_AUTHN challenge's session keeps: the challenge the passkey must sign. */
interface PasskeyChallengeState extends Record<string, unknown> {
  challenge: string;
  deviceKey?: string;
  /** The challenge of a user that does not exist, which no passkey answers. */
  pretend?: boolean;
}

/** Whether the user has a passkey to sign in with. */
export async function hasPasskey(ctx: ServiceContext, user: StoredUser): Promise<boolean> {
  return (await ctx.repos.webauthnCredentials.list(user.poolId, user.usernameKey, 1)).length > 0;
}

/**
 * WEB_AUTHN as the first factor: CREDENTIAL_REQUEST_OPTIONS (the JSON for navigator.credentials.get) with
 * a fresh challenge and the user's passkeys. A user that does not exist (PreventUserExistenceErrors) gets
 * the same shape with none listed.
 */
export async function passkeyChallenge(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  user: StoredUser | undefined,
  deviceKey: string | undefined,
): Promise<SignInStep> {
  const rp = await relyingParty(ctx, pool);
  if (user) requireAllowedToSignIn(ctx, user);
  const passkeys = user ? await ctx.repos.webauthnCredentials.list(pool.id, user.usernameKey, MAX_PASSKEYS_PER_USER) : [];
  const device = user ? await signInDevice(ctx, pool, user, deviceKey) : undefined;
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    userVerification: rp.userVerification,
  });
  const state: PasskeyChallengeState = { challenge: options.challenge, ...(device && { deviceKey: device.deviceKey }), ...(!user && { pretend: true }) };
  return {
    ChallengeName: 'WEB_AUTHN',
    Session: await openSession(ctx, client, user?.usernameKey ?? `?${name}`, 'WEB_AUTHN', state),
    ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) },
  };
}

const refused = () => new NotAuthorizedException('Incorrect username or passkey.');

/**
 * WEB_AUTHN's answer, CREDENTIAL (an AuthenticationResponseJSON): one of the user's passkeys signed this
 * session's challenge at an origin of the relying party. A passkey signs in alone (afterFactors: no MFA
 * follows, as passwordless sign-in never meets MFA); a failure counts towards the account lock, and the
 * ceremony starts again.
 */
export async function answerWebAuthn(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  const { credential, clientData } = readCredential<AuthenticationResponseJSON>(requiredParameter(responses, 'CREDENTIAL'), 'CREDENTIAL');
  const stored = await takeSession(ctx, client, session, 'WEB_AUTHN');
  const state = stored.state as PasskeyChallengeState;
  const user = state.pretend ? undefined : await sessionUser(ctx, pool, stored);
  if (!user) throw refused();
  const rp = await relyingParty(ctx, pool);
  checkOrigin(rp, clientData.origin);
  const passkey = await ctx.repos.webauthnCredentials.get(pool.id, credential.id);
  const fail = async () => {
    await recordFailedSignIn(ctx, user);
    return refused();
  };
  if (!passkey || passkey.usernameKey !== user.usernameKey) throw await fail();
  const result = await verified(
    () =>
      verifyAuthenticationResponse({
        response: credential,
        expectedChallenge: state.challenge,
        expectedOrigin: clientData.origin,
        expectedRPID: rp.id,
        credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.signCount, transports: passkey.transports },
        requireUserVerification: rp.userVerification === 'required',
      }),
    () => refused(),
  ).catch(async (error: unknown) => {
    if (error instanceof NotAuthorizedException) throw await fail();
    throw error;
  });
  if (!result.verified) throw await fail();
  await ctx.repos.webauthnCredentials.recordUse(pool.id, passkey.credentialId, result.authenticationInfo.newCounter);
  return afterFactors(ctx, pool, client, user, await sessionDevice(ctx, user, state), session);
}
