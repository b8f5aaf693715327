import type { DeviceRememberedStatusType, ListDevicesResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext, ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { deviceNotFound, toDeviceType } from './devices.js';

/** QueryLimitType allows 0–60; 0 or none is a full page. */
const MAX_DEVICES_PER_PAGE = 60;

/** A page of the user's devices (only remembered ones with `rememberedOnly`), with ListDevices' PaginationToken. */
export async function listDevices(
  ctx: RequestContext,
  pool: StoredUserPool,
  user: StoredUser,
  input: { Limit?: number; PaginationToken?: string },
  rememberedOnly: boolean,
): Promise<ListDevicesResponse> {
  const limit = input.Limit || MAX_DEVICES_PER_PAGE;
  // The listing names the user, so a token from one user's listing is refused for another's.
  const listing = `ListDevices:${user.poolId}:${user.usernameKey}:${rememberedOnly ? 'remembered' : 'all'}`;
  const afterKey = decodeNextToken(listing, input.PaginationToken, ctx.requestId);
  const rows = await ctx.repos.devices.list(user.poolId, user.usernameKey, limit + 1, { ...(afterKey !== undefined && { afterKey }), rememberedOnly });
  const { items, nextToken } = page(rows, limit, (device) => device.deviceKey, listing);
  return { Devices: items.map((device) => toDeviceType(ctx, pool, user, device)), ...(nextToken && { PaginationToken: nextToken }) };
}

/** remembered: device authentication may stand in for MFA; not_remembered: the device is only tracked. */
export async function setDeviceStatus(ctx: ServiceContext, user: StoredUser, deviceKey: string, status: DeviceRememberedStatusType | undefined): Promise<void> {
  if (!status) throw new InvalidParameterException('Missing required parameter DeviceRememberedStatus');
  if (!(await ctx.repos.devices.setRemembered(user.poolId, user.usernameKey, deviceKey, status === 'remembered', ctx.now()))) throw deviceNotFound();
}

/** Forgets the device; its refresh tokens stop working with it (DevicesRepository.forget). */
export async function forgetDevice(ctx: ServiceContext, user: StoredUser, deviceKey: string): Promise<void> {
  if (!(await ctx.repos.devices.forget(user.poolId, user.usernameKey, deviceKey, ctx.now()))) throw deviceNotFound();
}
