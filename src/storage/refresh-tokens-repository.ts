import type { Db } from './database.js';
import { deleteUserSessions } from './hosted-ui-sessions-repository.js';
import { PreparedInsert, PreparedQuery, PER_USER_READS } from './prepared-query.js';
import type { RefreshTokensTable } from './schema.js';

export interface StoredRefreshToken {
  poolId: string;
  tokenHash: string;
  clientId: string;
  usernameKey: string;
  originJti: string;
  deviceKey?: string;
  authTime: Date;
  createdAt: Date;
  expiresAt: Date;
  usableUntil?: Date;
  revokedAt?: Date;
  /** The OAuth scopes of the sign-in (hosted UI / token endpoint); absent for API sign-ins. */
  scopes?: string[];
}

/**
 * A user's sign-in that gets no refresh token (the implicit flow) still needs a row, so that its
 * access tokens' origin_jti can be checked and revoked: a marker whose hash no presented token can match
 * (hashes are base64url; the marker has a colon).
 */
export interface OriginWithoutRefreshToken {
  poolId: string;
  originJti: string;
  clientId: string;
  usernameKey: string;
  scopes: string[];
  authTime: Date;
  createdAt: Date;
  /** When the last token of the sign-in expires. */
  expiresAt: Date;
}

function fromRow(row: RefreshTokensTable): StoredRefreshToken {
  return {
    poolId: row.pool_id,
    tokenHash: row.token_hash,
    clientId: row.client_id,
    usernameKey: row.username_key,
    originJti: row.origin_jti,
    ...(row.device_key !== null && { deviceKey: row.device_key }),
    authTime: new Date(row.auth_time),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    ...(row.usable_until !== null && { usableUntil: new Date(row.usable_until) }),
    ...(row.revoked_at !== null && { revokedAt: new Date(row.revoked_at) }),
    ...(row.scopes !== null && row.scopes !== undefined && { scopes: row.scopes === '' ? [] : row.scopes.split(' ') }),
  };
}

/**
 * Makes the refresh tokens bound to a device unusable from `now` (ForgetDevice, in its transaction `db`),
 * keeping an earlier end a rotation already set.
 */
export async function endDeviceRefreshTokens(db: Db, poolId: string, usernameKey: string, deviceKey: string, now: Date): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ usable_until: now.getTime() })
    .where('pool_id', '=', poolId)
    .where('username_key', '=', usernameKey)
    .where('device_key', '=', deviceKey)
    .where((eb) => eb.or([eb('usable_until', 'is', null), eb('usable_until', '>', now.getTime())]))
    .execute();
}

export class RefreshTokensRepository {
  // Read on every refresh and on every call with an access token (revocation).
  private readonly byHash: PreparedQuery<RefreshTokensTable, [poolId: string, tokenHash: string]>;
  private readonly originState: PreparedQuery<Pick<RefreshTokensTable, 'revoked_at'>, [poolId: string, originJti: string]>;
  /** Written by every sign-in. */
  private readonly insertRow: PreparedInsert<RefreshTokensTable>;

  constructor(private readonly db: Db) {
    this.insertRow = new PreparedInsert<RefreshTokensTable>(db, 'refresh_tokens', [
      'pool_id',
      'token_hash',
      'client_id',
      'username_key',
      'origin_jti',
      'device_key',
      'auth_time',
      'created_at',
      'expires_at',
      'usable_until',
      'revoked_at',
      'scopes',
    ]);
    this.byHash = new PreparedQuery(db, (poolId: string, tokenHash: string) =>
      db.selectFrom('refresh_tokens').selectAll().where('pool_id', '=', poolId).where('token_hash', '=', tokenHash),
      { cached: PER_USER_READS },
    );
    this.originState = new PreparedQuery(db, (poolId: string, originJti: string) =>
      db.selectFrom('refresh_tokens').select('revoked_at').where('pool_id', '=', poolId).where('origin_jti', '=', originJti).limit(1),
      { cached: PER_USER_READS },
    );
  }

  async insert(token: StoredRefreshToken): Promise<void> {
    await this.insertRow.run({
      pool_id: token.poolId,
      token_hash: token.tokenHash,
      client_id: token.clientId,
      username_key: token.usernameKey,
      origin_jti: token.originJti,
      device_key: token.deviceKey ?? null,
      auth_time: token.authTime.getTime(),
      created_at: token.createdAt.getTime(),
      expires_at: token.expiresAt.getTime(),
      usable_until: null,
      revoked_at: null,
      scopes: token.scopes ? token.scopes.join(' ') : null,
    });
  }

  async recordOrigin(origin: OriginWithoutRefreshToken): Promise<void> {
    await this.insert({ ...origin, tokenHash: `origin:${origin.originJti}` });
  }

  async get(poolId: string, tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const row = await this.byHash.first(poolId, tokenHash);
    return row ? fromRow(row) : undefined;
  }

  /**
   * Rotation: the old token keeps working until `usableUntil` (so a client retrying a lost response is not
   * locked out), and only if it has not been rotated already: true for exactly one of two racing rotations.
   */
  async retire(poolId: string, tokenHash: string, usableUntil: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ usable_until: usableUntil.getTime() })
      .where('pool_id', '=', poolId)
      .where('token_hash', '=', tokenHash)
      .where('usable_until', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every token of one sign-in (and so the access and ID tokens that carry its origin_jti). */
  async revokeOrigin(poolId: string, originJti: string, now: Date): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now.getTime() })
      .where('pool_id', '=', poolId)
      .where('origin_jti', '=', originJti)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /**
   * GlobalSignOut: every sign-in of the user ends — its refresh tokens (and with them the access and ID
   * tokens that carry their origin_jti) and its hosted-UI sessions, together. Cognito documents that
   * GlobalSignOut leaves the managed login session cookie alone, so a browser could mint new tokens for
   * an hour after an administrator signed a compromised account out; Gatehouse ends those sessions too, so
   * the hosted UI asks for the password again.
   */
  async revokeUser(poolId: string, usernameKey: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now.getTime() })
        .where('pool_id', '=', poolId)
        .where('username_key', '=', usernameKey)
        .where('revoked_at', 'is', null)
        .execute();
      await deleteUserSessions(tx, poolId, usernameKey);
    });
  }

  /** True when the sign-in `originJti` was revoked (or never existed in this pool). */
  async isOriginRevoked(poolId: string, originJti: string): Promise<boolean> {
    const row = await this.originState.first(poolId, originJti);
    return !row || row.revoked_at !== null;
  }

  async deleteUser(poolId: string, usernameKey: string): Promise<void> {
    await this.db.deleteFrom('refresh_tokens').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
  }
}
