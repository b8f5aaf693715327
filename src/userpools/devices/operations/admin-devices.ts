import type {
  AdminForgetDeviceRequest,
  AdminGetDeviceRequest,
  AdminGetDeviceResponse,
  AdminListDevicesRequest,
  AdminListDevicesResponse,
  AdminUpdateDeviceStatusRequest,
  AdminUpdateDeviceStatusResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { forgetDevice, listDevices, setDeviceStatus } from '../device-management.js';
import { requireDevice, toDeviceType } from '../devices.js';

/** Any user's devices, remembered or only tracked, for a signed (IAM-authorised) caller. */

export async function adminGetDevice(ctx: RequestContext, input: AdminGetDeviceRequest): Promise<AdminGetDeviceResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  return { Device: toDeviceType(ctx, pool, user, await requireDevice(ctx, user, input.DeviceKey!)) };
}

export async function adminListDevices(ctx: RequestContext, input: AdminListDevicesRequest): Promise<AdminListDevicesResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  return listDevices(ctx, pool, user, input, false);
}

export async function adminUpdateDeviceStatus(ctx: RequestContext, input: AdminUpdateDeviceStatusRequest): Promise<AdminUpdateDeviceStatusResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await setDeviceStatus(ctx, user, input.DeviceKey!, input.DeviceRememberedStatus);
  return {};
}

export async function adminForgetDevice(ctx: RequestContext, input: AdminForgetDeviceRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await forgetDevice(ctx, user, input.DeviceKey!);
  return {};
}
