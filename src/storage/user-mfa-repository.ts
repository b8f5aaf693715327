import type { Db } from './database.js';
import { PreparedQuery, PER_USER_READS } from './prepared-query.js';
import type { UserMfaTable } from './schema.js';

/** One factor's switches, as SetUserMFAPreference sets them. */
export interface FactorPreference {
  enabled: boolean;
  preferred: boolean;
}

export interface MfaPreferences {
  sms: FactorPreference;
  totp: FactorPreference;
  email: FactorPreference;
}

/** A user's MFA: the factor switches and the TOTP authenticator. Secrets stay sealed here (userpools/mfa seals them). */
export interface StoredUserMfa extends MfaPreferences {
  poolId: string;
  usernameKey: string;
  /** The verified TOTP secret, sealed. */
  totpSecret?: string;
  /** An associated secret not yet verified, sealed. */
  totpPendingSecret?: string;
  totpDeviceName?: string;
  /** The time step of the last TOTP code accepted. */
  totpLastStep?: number;
  updatedAt: Date;
}

const OFF: FactorPreference = { enabled: false, preferred: false };

/** What a user who never touched MFA has: nothing on. */
export function noMfa(poolId: string, usernameKey: string): StoredUserMfa {
  return { poolId, usernameKey, sms: OFF, totp: OFF, email: OFF, updatedAt: new Date(0) };
}

function fromRow(row: UserMfaTable): StoredUserMfa {
  const flag = (value: number) => Number(value) === 1;
  return {
    poolId: row.pool_id,
    usernameKey: row.username_key,
    sms: { enabled: flag(row.sms_enabled), preferred: flag(row.sms_preferred) },
    totp: { enabled: flag(row.totp_enabled), preferred: flag(row.totp_preferred) },
    email: { enabled: flag(row.email_enabled), preferred: flag(row.email_preferred) },
    ...(row.totp_secret !== null && { totpSecret: row.totp_secret }),
    ...(row.totp_pending_secret !== null && { totpPendingSecret: row.totp_pending_secret }),
    ...(row.totp_device_name !== null && { totpDeviceName: row.totp_device_name }),
    ...(row.totp_last_step !== null && row.totp_last_step !== undefined && { totpLastStep: Number(row.totp_last_step) }),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

const bit = (value: boolean) => (value ? 1 : 0);

/** A new row: nothing on, no authenticator, then `values`. */
function newRow(poolId: string, usernameKey: string, values: Partial<UserMfaTable> & { updated_at: number }): UserMfaTable {
  return {
    pool_id: poolId,
    username_key: usernameKey,
    sms_enabled: 0,
    sms_preferred: 0,
    totp_enabled: 0,
    totp_preferred: 0,
    email_enabled: 0,
    email_preferred: 0,
    totp_secret: null,
    totp_pending_secret: null,
    totp_device_name: null,
    totp_last_step: null,
    ...values,
  };
}

/**
 * Each write touches only its own columns (an upsert, since most users have no row): a preference change
 * and a TOTP registration racing each other both land.
 */
export class UserMfaRepository {
  /** Read by GetUser, AdminGetUser and every sign-in. */
  private readonly byKey: PreparedQuery<UserMfaTable, [poolId: string, usernameKey: string]>;

  constructor(private readonly db: Db) {
    this.byKey = new PreparedQuery(db, (poolId: string, usernameKey: string) =>
      db.selectFrom('user_mfa').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey),
      { cached: PER_USER_READS },
    );
  }

  async get(poolId: string, usernameKey: string): Promise<StoredUserMfa | undefined> {
    const row = await this.byKey.first(poolId, usernameKey);
    return row ? fromRow(row) : undefined;
  }

  async setPreferences(poolId: string, usernameKey: string, preferences: MfaPreferences, now: Date): Promise<void> {
    await this.upsert(poolId, usernameKey, {
      sms_enabled: bit(preferences.sms.enabled),
      sms_preferred: bit(preferences.sms.preferred),
      totp_enabled: bit(preferences.totp.enabled),
      totp_preferred: bit(preferences.totp.preferred),
      email_enabled: bit(preferences.email.enabled),
      email_preferred: bit(preferences.email.preferred),
      updated_at: now.getTime(),
    });
  }

  /** AssociateSoftwareToken: a new secret waits for its first code; the verified one (if any) keeps working. */
  async setPendingTotpSecret(poolId: string, usernameKey: string, sealedSecret: string, now: Date): Promise<void> {
    await this.upsert(poolId, usernameKey, { totp_pending_secret: sealedSecret, updated_at: now.getTime() });
  }

  /**
   * VerifySoftwareToken: `sealedSecret` becomes the user's authenticator, replacing any earlier one, with
   * the step of the code that proved it as the last step used; with `turnOn`, TOTP MFA is enabled in the
   * same write (MFA_SETUP during a sign-in).
   */
  async setVerifiedTotpSecret(
    poolId: string,
    usernameKey: string,
    totp: { sealedSecret: string; deviceName?: string; step: number; turnOn?: { preferred: boolean } },
    now: Date,
  ): Promise<void> {
    await this.upsert(poolId, usernameKey, {
      totp_secret: totp.sealedSecret,
      totp_pending_secret: null,
      totp_device_name: totp.deviceName ?? null,
      totp_last_step: totp.step,
      ...(totp.turnOn && { totp_enabled: 1, totp_preferred: bit(totp.turnOn.preferred) }),
      updated_at: now.getTime(),
    });
  }

  /** AdminDeleteSoftwareToken: the authenticator goes, verified or pending, and TOTP MFA is off. */
  async removeTotp(poolId: string, usernameKey: string, now: Date): Promise<void> {
    await this.upsert(poolId, usernameKey, {
      totp_secret: null,
      totp_pending_secret: null,
      totp_device_name: null,
      totp_last_step: null,
      totp_enabled: 0,
      totp_preferred: 0,
      updated_at: now.getTime(),
    });
  }

  /** Writes `values` on the user's row, creating it (nothing else on) when the user has none. */
  private async upsert(poolId: string, usernameKey: string, values: Partial<UserMfaTable> & { updated_at: number }): Promise<void> {
    await this.db
      .insertInto('user_mfa')
      .values(newRow(poolId, usernameKey, values))
      .onConflict((oc) => oc.columns(['pool_id', 'username_key']).doUpdateSet(values))
      .execute();
  }

  /**
   * Records `step` as the last TOTP step used, only if it is later than the last one: true for exactly one
   * of several requests racing with the same code, false for a replayed code.
   */
  async claimTotpStep(poolId: string, usernameKey: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_mfa')
      .set({ totp_last_step: step })
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
