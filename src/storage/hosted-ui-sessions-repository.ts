import type { Kysely } from 'kysely';
import type { Db } from './database.js';
import type { Database, HostedUiSessionsTable } from './schema.js';

/** A hosted-UI sign-in: who, since when, until when. The cookie carries the id whose keyed hash this is. */
export interface StoredHostedUiSession {
  poolId: string;
  sessionHash: string;
  usernameKey: string;
  /** The user's sub when the session began: a user deleted and created again under the same name is not it. */
  sub: string;
  authTime: Date;
  createdAt: Date;
  expiresAt: Date;
  /** The session began with a sign-in through this SAML provider: what single logout names it by there. */
  samlSignIn?: SamlSignIn;
}

export interface SamlSignIn {
  provider: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
}

function fromRow(row: HostedUiSessionsTable): StoredHostedUiSession {
  return {
    poolId: row.pool_id,
    sessionHash: row.session_hash,
    usernameKey: row.username_key,
    sub: row.sub,
    authTime: new Date(Number(row.auth_time)),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    ...(row.saml_sign_in && { samlSignIn: JSON.parse(row.saml_sign_in) as SamlSignIn }),
  };
}

/**
 * Ends every session of the user (global sign-out: RefreshTokensRepository.revokeUser, in its
 * transaction); indexed by user (migration 0011).
 */
export async function deleteUserSessions(db: Kysely<Database>, poolId: string, usernameKey: string): Promise<void> {
  await db.deleteFrom('hosted_ui_sessions').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
}

export class HostedUiSessionsRepository {
  constructor(private readonly db: Db) {}

  async insert(session: StoredHostedUiSession): Promise<void> {
    await this.db
      .insertInto('hosted_ui_sessions')
      .values({
        pool_id: session.poolId,
        session_hash: session.sessionHash,
        username_key: session.usernameKey,
        sub: session.sub,
        auth_time: session.authTime.getTime(),
        created_at: session.createdAt.getTime(),
        expires_at: session.expiresAt.getTime(),
        saml_sign_in: session.samlSignIn ? JSON.stringify(session.samlSignIn) : null,
      })
      .execute();
  }

  async get(poolId: string, sessionHash: string): Promise<StoredHostedUiSession | undefined> {
    const row = await this.db
      .selectFrom('hosted_ui_sessions')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('session_hash', '=', sessionHash)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Logout: the session ends for every client of the pool. The session that ended, read by the same statement (DELETE … RETURNING). */
  async delete(poolId: string, sessionHash: string): Promise<StoredHostedUiSession | undefined> {
    const row = await this.db.deleteFrom('hosted_ui_sessions').where('pool_id', '=', poolId).where('session_hash', '=', sessionHash).returningAll().executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('hosted_ui_sessions').where('expires_at', '<', now.getTime()).execute();
  }
}
