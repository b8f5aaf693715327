import type {
  ForgetDeviceRequest,
  GetDeviceRequest,
  GetDeviceResponse,
  ListDevicesRequest,
  ListDevicesResponse,
  UpdateDeviceStatusRequest,
  UpdateDeviceStatusResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { authenticateAccessToken, type Caller } from '../../auth/access-token.js';
import { forgetDevice as forgetUserDevice, listDevices as listUserDevices, setDeviceStatus } from '../device-management.js';
import { deviceNotFound, toDeviceType } from '../devices.js';

/**
 * The signed-in user's own devices, authorised by the access token. As in Cognito, the user sees only
 * remembered devices (GetDevice and ListDevices), and the administrator sees every confirmed one.
 */

/** GetDevice and ForgetDevice list AccessToken as optional in the model, but a user can only act on their own devices. */
function caller(ctx: RequestContext, accessToken: string | undefined): Promise<Caller> {
  if (!accessToken) throw new InvalidParameterException('Missing required parameter AccessToken');
  return authenticateAccessToken(ctx, accessToken);
}

export async function getDevice(ctx: RequestContext, input: GetDeviceRequest): Promise<GetDeviceResponse> {
  const { pool, user, ctx: poolCtx } = await caller(ctx, input.AccessToken);
  const device = await poolCtx.repos.devices.get(user.poolId, user.usernameKey, input.DeviceKey!);
  if (!device?.remembered) throw deviceNotFound();
  return { Device: toDeviceType(poolCtx, pool, user, device) };
}

export async function listDevices(ctx: RequestContext, input: ListDevicesRequest): Promise<ListDevicesResponse> {
  const { pool, user, ctx: poolCtx } = await caller(ctx, input.AccessToken);
  return listUserDevices(poolCtx, pool, user, input, true);
}

export async function updateDeviceStatus(ctx: RequestContext, input: UpdateDeviceStatusRequest): Promise<UpdateDeviceStatusResponse> {
  const { user, ctx: poolCtx } = await caller(ctx, input.AccessToken);
  await setDeviceStatus(poolCtx, user, input.DeviceKey!, input.DeviceRememberedStatus);
  return {};
}

export async function forgetDevice(ctx: RequestContext, input: ForgetDeviceRequest): Promise<Record<string, never>> {
  const { user, ctx: poolCtx } = await caller(ctx, input.AccessToken);
  await forgetUserDevice(poolCtx, user, input.DeviceKey!);
  return {};
}
