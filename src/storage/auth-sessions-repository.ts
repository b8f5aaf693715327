import type { Db } from './database.js';

export interface StoredAuthSession {
  poolId: string;
  sessionHash: string;
  clientId: string;
  usernameKey: string;
  challenge: string;
  /** Flow-specific state (e.g. the SRP server secret), as JSON. */
  state: Record<string, unknown>;
  expiresAt: Date;
}

export class AuthSessionsRepository {
  constructor(private readonly db: Db) {}

  async insert(session: StoredAuthSession): Promise<void> {
    await this.db
      .insertInto('auth_sessions')
      .values({
        pool_id: session.poolId,
        session_hash: session.sessionHash,
        client_id: session.clientId,
        username_key: session.usernameKey,
        challenge: session.challenge,
        state: JSON.stringify(session.state),
        expires_at: session.expiresAt.getTime(),
      })
      .execute();
  }

  /** Takes the session out of the store: a session answers one challenge response, once. */
  async take(poolId: string, sessionHash: string): Promise<StoredAuthSession | undefined> {
    const row = await this.db.selectFrom('auth_sessions').selectAll().where('pool_id', '=', poolId).where('session_hash', '=', sessionHash).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('auth_sessions').where('pool_id', '=', poolId).where('session_hash', '=', sessionHash).executeTakeFirst();
    if (deleted.numDeletedRows === 0n) return undefined;
    return {
      poolId: row.pool_id,
      sessionHash: row.session_hash,
      clientId: row.client_id,
      usernameKey: row.username_key,
      challenge: row.challenge,
      state: JSON.parse(row.state) as Record<string, unknown>,
      expiresAt: new Date(row.expires_at),
    };
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('expires_at', '<', now.getTime()).execute();
  }
}
