import type { ConfirmDeviceRequest, ConfirmDeviceResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { DuplicateKeyError } from '../../../storage/conflicts.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { isUsableVerifier } from '../../auth/srp.js';
import { DeviceKeyExistsException } from '../../errors.js';
import { deviceGroupKeyOf, deviceTracking } from '../devices.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A base64 value of DeviceSecretVerifierConfig as hex (the client sends PAD(x) bytes, base64), or undefined. */
function hexOf(base64: string | undefined): string | undefined {
  if (!base64 || !BASE64.test(base64)) return undefined;
  const hex = Buffer.from(base64, 'base64').toString('hex');
  return hex.length > 0 ? hex : undefined;
}

/**
 * Registers the device of the caller's sign-in for device SRP: the DeviceKey must be the one that sign-in
 * was handed in NewDeviceMetadata (its access token carries it as device_key, so nobody confirms a key they
 * were not given), with the salt and verifier the client derived from a random device password
 * (AuthenticationHelper.generateHashDevice). With DeviceOnlyRememberedOnUserPrompt the device is tracked but
 * not remembered until UpdateDeviceStatus, and UserConfirmationNecessary tells the app to ask the user.
 */
export async function confirmDevice(ctx: RequestContext, input: ConfirmDeviceRequest): Promise<ConfirmDeviceResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const tracking = deviceTracking(pool);
  if (!tracking) throw new InvalidParameterException('Device tracking is not enabled for this user pool.');
  if (claims.device_key !== input.DeviceKey) throw new InvalidParameterException('Invalid device key given.');
  const salt = hexOf(input.DeviceSecretVerifierConfig?.Salt);
  const verifier = hexOf(input.DeviceSecretVerifierConfig?.PasswordVerifier);
  if (!salt || !verifier || !isUsableVerifier(salt, verifier)) {
    throw new InvalidParameterException('DeviceSecretVerifierConfig must carry a base64 Salt and PasswordVerifier.');
  }
  const now = poolCtx.now();
  const promptUser = tracking.DeviceOnlyRememberedOnUserPrompt === true;
  try {
    await poolCtx.repos.devices.insert({
      poolId: pool.id,
      usernameKey: user.usernameKey,
      deviceKey: input.DeviceKey!,
      deviceGroupKey: deviceGroupKeyOf(poolCtx, pool.id, input.DeviceKey!),
      salt,
      verifier,
      ...(input.DeviceName !== undefined && { name: input.DeviceName }),
      remembered: !promptUser,
      createdAt: now,
      updatedAt: now,
      // The sign-in that was handed the device key authenticated on it.
      ...(typeof claims.auth_time === 'number' && { lastAuthenticatedAt: new Date(claims.auth_time * 1000) }),
      ...(poolCtx.sourceIp && { lastIpUsed: poolCtx.sourceIp }),
    });
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new DeviceKeyExistsException('Device key already exists.');
    throw error;
  }
  return { UserConfirmationNecessary: promptUser };
}
