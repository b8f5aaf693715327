import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { deviceNotFound, requireDevice } from '../devices/devices.js';
import { recordFailedSignIn } from './account-protection.js';
import { takeSession } from './auth-sessions.js';
import { sessionUser, signInCompleted, type SignInStep } from './sign-in-outcome.js';
import { claimHolds, openSrpChallenge, takeSrpChallenge, type SrpState } from './srp-sign-in.js';
import type { ChallengeAnswer } from './challenge-answer.js';

/**
 * Device SRP: the last step of a sign-in from a confirmed device (sign-in-outcome.ts afterFactors). It is
 * USER_SRP_AUTH again with the device as the identity — the device group key in place of the pool name, the
 * device key in place of the username, and the verifier the client registered with ConfirmDevice — as
 * amazon-cognito-identity-js (CognitoUser.getDeviceResponse) and Amplify compute it.
 */

/** The session of DEVICE_SRP_AUTH names its device: afterFactors opens it only for a sign-in from one. */
interface DeviceSessionState extends Record<string, unknown> {
  deviceKey: string;
}

/** DEVICE_PASSWORD_VERIFIER keeps the device's group key with the SRP values, so the claim needs no second read. */
interface DeviceSrpState extends SrpState, DeviceSessionState {
  deviceGroupKey: string;
}

const deviceNotProven = () => new NotAuthorizedException('Incorrect device key or device secret.');

/** The DEVICE_KEY an answer names, if any, must be the device the session is for. */
function requireSameDevice(deviceKey: string, responses: Record<string, string>): void {
  if (responses.DEVICE_KEY !== undefined && responses.DEVICE_KEY !== deviceKey) throw deviceNotProven();
}

/** DEVICE_SRP_AUTH: the device's SRP_A, answered with DEVICE_PASSWORD_VERIFIER (the device's salt and B). */
export async function answerDeviceSrpAuth(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  const srpA = responses.SRP_A;
  if (!srpA) throw new InvalidParameterException('Missing required parameter SRP_A');
  const stored = await takeSession(ctx, client, session, 'DEVICE_SRP_AUTH');
  const { deviceKey } = stored.state as DeviceSessionState;
  requireSameDevice(deviceKey, responses);
  const user = await sessionUser(ctx, pool, stored);
  const device = await requireDevice(ctx, user, deviceKey);
  const challenge = await openSrpChallenge(ctx, client, {
    usernameKey: user.usernameKey,
    challenge: 'DEVICE_PASSWORD_VERIFIER',
    verifier: device,
    srpA,
    state: { deviceKey, deviceGroupKey: device.deviceGroupKey },
    refusal: deviceNotProven,
  });
  return {
    ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
    // The session travels as SECRET_BLOCK, as in PASSWORD_VERIFIER; it is also the Session the client echoes.
    Session: challenge.session,
    ChallengeParameters: {
      SALT: device.salt,
      SRP_B: challenge.srpB,
      SECRET_BLOCK: challenge.secretBlock,
      USERNAME: user.username,
      DEVICE_KEY: deviceKey,
    },
  };
}

/**
 * DEVICE_PASSWORD_VERIFIER: PASSWORD_CLAIM_SIGNATURE over (device group key, device key, secret block,
 * timestamp) proves the device's secret. Then the sign-in is complete, its tokens bound to the device.
 */
export async function answerDevicePasswordVerifier(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, responses } = answer;
  const stored = await takeSrpChallenge(ctx, client, responses, 'DEVICE_PASSWORD_VERIFIER');
  const state = stored.state as DeviceSrpState;
  const { deviceKey } = state;
  requireSameDevice(deviceKey, responses);
  const user = await sessionUser(ctx, pool, stored);
  if (!claimHolds(ctx, state, { poolName: state.deviceGroupKey, userIdForSrp: deviceKey }, responses)) {
    await recordFailedSignIn(ctx, user);
    throw deviceNotProven();
  }
  // The device may have been forgotten since DEVICE_SRP_AUTH: then nothing is updated, and it is not found.
  if (!(await ctx.repos.devices.recordAuthentication(pool.id, user.usernameKey, deviceKey, ctx.now(), ctx.sourceIp))) throw deviceNotFound();
  return signInCompleted(ctx, pool, client, user, deviceKey);
}
