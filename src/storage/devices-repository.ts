import { rethrowDuplicate } from './conflicts.js';
import type { Db } from './database.js';
import { endDeviceRefreshTokens } from './refresh-tokens-repository.js';
import type { DevicesTable } from './schema.js';

/** A device a user confirmed (ConfirmDevice): its SRP identity and whether it is remembered. */
export interface StoredDevice {
  poolId: string;
  usernameKey: string;
  deviceKey: string;
  deviceGroupKey: string;
  /** The device SRP salt and verifier, hex. */
  salt: string;
  verifier: string;
  name?: string;
  remembered: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastAuthenticatedAt?: Date;
  /** The address of the device's last sign-in (or of its confirmation). */
  lastIpUsed?: string;
}

function fromRow(row: DevicesTable): StoredDevice {
  return {
    poolId: row.pool_id,
    usernameKey: row.username_key,
    deviceKey: row.device_key,
    deviceGroupKey: row.device_group_key,
    salt: row.salt,
    verifier: row.verifier,
    ...(row.name !== null && { name: row.name }),
    remembered: Number(row.remembered) === 1,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    ...(row.last_authenticated_at !== null && { lastAuthenticatedAt: new Date(Number(row.last_authenticated_at)) }),
    ...(row.last_ip_used !== null && { lastIpUsed: row.last_ip_used }),
  };
}

/** Devices are keyed by pool, user and device key: every read is one user's, so the primary key serves them all. */
export class DevicesRepository {
  constructor(private readonly db: Db) {}

  /** Adds a confirmed device; DuplicateKeyError when the user already confirmed this device key. */
  async insert(device: StoredDevice): Promise<void> {
    const write = this.db
      .insertInto('devices')
      .values({
        pool_id: device.poolId,
        username_key: device.usernameKey,
        device_key: device.deviceKey,
        device_group_key: device.deviceGroupKey,
        salt: device.salt,
        verifier: device.verifier,
        name: device.name ?? null,
        remembered: device.remembered ? 1 : 0,
        created_at: device.createdAt.getTime(),
        updated_at: device.updatedAt.getTime(),
        last_authenticated_at: device.lastAuthenticatedAt?.getTime() ?? null,
        last_ip_used: device.lastIpUsed ?? null,
      })
      .execute();
    await rethrowDuplicate(write, 'device');
  }

  async get(poolId: string, usernameKey: string, deviceKey: string): Promise<StoredDevice | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('device_key', '=', deviceKey)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** A page of the user's devices in device-key order, after `afterKey`; only remembered ones with `rememberedOnly`. */
  async list(poolId: string, usernameKey: string, limit: number, options: { afterKey?: string; rememberedOnly?: boolean } = {}): Promise<StoredDevice[]> {
    let query = this.db.selectFrom('devices').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
    if (options.afterKey !== undefined) query = query.where('device_key', '>', options.afterKey);
    if (options.rememberedOnly) query = query.where('remembered', '=', 1);
    return (await query.orderBy('device_key').limit(limit).execute()).map(fromRow);
  }

  /** False when the user has no such device. */
  async setRemembered(poolId: string, usernameKey: string, deviceKey: string, remembered: boolean, now: Date): Promise<boolean> {
    return this.update(poolId, usernameKey, deviceKey, { remembered: remembered ? 1 : 0, updated_at: now.getTime() });
  }

  /** A sign-in from `ip` proved the device (DEVICE_PASSWORD_VERIFIER); false when the user has no such device. */
  async recordAuthentication(poolId: string, usernameKey: string, deviceKey: string, now: Date, ip: string): Promise<boolean> {
    return this.update(poolId, usernameKey, deviceKey, { last_authenticated_at: now.getTime(), ...(ip && { last_ip_used: ip }) });
  }

  private async update(poolId: string, usernameKey: string, deviceKey: string, values: Partial<DevicesTable>): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set(values)
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('device_key', '=', deviceKey)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Forgets a device and, in the same transaction, ends the refresh tokens bound to it: "if a device is
   * stolen, ForgetDevice … all future calls to revalidate that device's refresh tokens will fail". Their
   * access tokens live out their hour, as in Cognito (an app may forget the device it runs on and go on);
   * GlobalSignOut ends those too. False when the user has no such device.
   */
  async forget(poolId: string, usernameKey: string, deviceKey: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .deleteFrom('devices')
        .where('pool_id', '=', poolId)
        .where('username_key', '=', usernameKey)
        .where('device_key', '=', deviceKey)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await endDeviceRefreshTokens(tx, poolId, usernameKey, deviceKey, now);
      return true;
    });
  }
}
