import type { DeviceConfigurationType, DeviceType, NewDeviceMetadataType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredDevice } from '../../storage/devices-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { newUuid } from '../users/users.js';

/** The pool's device tracking; undefined when it is off ("a null value indicates that you have deactivated device remembering"). */
export function deviceTracking(pool: StoredUserPool): DeviceConfigurationType | undefined {
  return pool.settings.userPool.DeviceConfiguration;
}

/**
 * The device group key that goes with a device key, derived (a keyed hash) so that a sign-in handing out
 * NewDeviceMetadata writes nothing: ConfirmDevice derives the same key again and stores it with the device,
 * where it stays valid even if the secrets key changes later. Clients use it as the "pool name" of the
 * device's SRP identity (x = H(salt | H(groupKey | deviceKey | ':' | password))) and in every device claim.
 */
export function deviceGroupKeyOf(ctx: ServiceContext, poolId: string, deviceKey: string): string {
  return ctx.secrets.mac(`device-group-key:${poolId}:${deviceKey}`).slice(0, 22);
}

/** The NewDeviceMetadata of a sign-in without a device: a device key `<region>_<uuid>`, as Cognito's look. */
export function newDeviceMetadata(ctx: ServiceContext, pool: StoredUserPool): Required<NewDeviceMetadataType> {
  const DeviceKey = `${pool.region}_${newUuid(ctx.randomBytes)}`;
  return { DeviceKey, DeviceGroupKey: deviceGroupKeyOf(ctx, pool.id, DeviceKey) };
}

/** Cognito's answer for a device key the user does not have. */
export const deviceNotFound = () => new ResourceNotFoundException('Device does not exist.');

/** The user's confirmed device `deviceKey`, or Cognito's ResourceNotFoundException. */
export async function requireDevice(ctx: ServiceContext, user: StoredUser, deviceKey: string): Promise<StoredDevice> {
  const device = await ctx.repos.devices.get(user.poolId, user.usernameKey, deviceKey);
  if (!device) throw deviceNotFound();
  return device;
}

/**
 * The device a sign-in names with DEVICE_KEY, when the pool tracks devices (otherwise DEVICE_KEY is
 * ignored). An unknown key is ResourceNotFoundException "Device does not exist.": amazon-cognito-identity-js
 * answers exactly that (a ResourceNotFoundException whose message mentions a device) by forgetting its cached
 * device and answering the challenge again without one.
 */
export async function signInDevice(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, deviceKey: string | undefined): Promise<StoredDevice | undefined> {
  if (!deviceKey || !deviceTracking(pool)) return undefined;
  return requireDevice(ctx, user, deviceKey);
}

/**
 * The device a later step of a sign-in carries in its session: looked up again, since it may have been
 * forgotten meanwhile (then the sign-in goes on as one without a device).
 */
export async function sessionDevice(ctx: ServiceContext, user: StoredUser, state: Record<string, unknown>): Promise<StoredDevice | undefined> {
  return typeof state.deviceKey === 'string' ? ctx.repos.devices.get(user.poolId, user.usernameKey, state.deviceKey) : undefined;
}

/**
 * ChallengeRequiredOnNewDevice: "when true, a remembered device can sign in with device authentication
 * instead of SMS and TOTP factors". A device that is only tracked (not_remembered) never stands in for MFA.
 */
export function deviceWaivesMfa(pool: StoredUserPool, device: StoredDevice | undefined): boolean {
  return !!device && device.remembered && deviceTracking(pool)?.ChallengeRequiredOnNewDevice === true;
}

/**
 * Cognito's DeviceType: the key, the dates, and the device's attributes as Cognito names them and in its
 * order. The owner is `<username>.<poolId>`, and the device's ARN is made from it. (Cognito also reports
 * `dev:device_sdk`, which it derives from the SDK that confirmed the device; Gatehouse does not guess it.)
 */
export function toDeviceType(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, device: StoredDevice): DeviceType {
  const owner = `${user.username}.${pool.id}`;
  return {
    DeviceKey: device.deviceKey,
    DeviceAttributes: [
      { Name: 'device_status', Value: 'valid' },
      ...(device.name !== undefined ? [{ Name: 'device_name', Value: device.name }] : []),
      { Name: 'dev:device_arn', Value: `arn:aws:cognito-idp:${pool.region}:${ctx.config.accountId}:owner/${owner}/device/${device.deviceKey}` },
      { Name: 'dev:device_owner', Value: owner },
      ...(device.lastIpUsed !== undefined ? [{ Name: 'last_ip_used', Value: device.lastIpUsed }] : []),
      { Name: 'dev:device_remembered_status', Value: device.remembered ? 'remembered' : 'not_remembered' },
    ],
    DeviceCreateDate: device.createdAt,
    DeviceLastModifiedDate: device.updatedAt,
    ...(device.lastAuthenticatedAt && { DeviceLastAuthenticatedDate: device.lastAuthenticatedAt }),
  };
}
