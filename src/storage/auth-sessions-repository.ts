import type { Db } from './database.js';
import { PreparedInsert, PreparedQuery } from './prepared-query.js';
import type { AuthSessionsTable } from './schema.js';

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
  /** Every challenge writes a session and every answer takes one: both compiled once. */
  private readonly insertRow: PreparedInsert<AuthSessionsTable>;
  /**
   * Taking is one statement, DELETE … RETURNING: of two answers racing with the same session only the one
   * whose delete removed the row gets it, and a read and a delete cost two statements' locks and WAL work.
   */
  private readonly takeRow: PreparedQuery<AuthSessionsTable, [poolId: string, sessionHash: string]>;

  constructor(private readonly db: Db) {
    this.insertRow = new PreparedInsert<AuthSessionsTable>(db, 'auth_sessions', ['pool_id', 'session_hash', 'client_id', 'username_key', 'challenge', 'state', 'expires_at']);
    this.takeRow = new PreparedQuery(db, (poolId: string, sessionHash: string) =>
      db.deleteFrom('auth_sessions').where('pool_id', '=', poolId).where('session_hash', '=', sessionHash).returningAll(),
    );
  }

  async insert(session: StoredAuthSession): Promise<void> {
    await this.insertRow.run({
      pool_id: session.poolId,
      session_hash: session.sessionHash,
      client_id: session.clientId,
      username_key: session.usernameKey,
      challenge: session.challenge,
      state: JSON.stringify(session.state),
      expires_at: session.expiresAt.getTime(),
    });
  }

  /** Takes the session out of the store: a session answers one challenge response, once. */
  async take(poolId: string, sessionHash: string): Promise<StoredAuthSession | undefined> {
    const row = await this.takeRow.first(poolId, sessionHash);
    return row ? fromRow(row) : undefined;
  }

  /** Reads the session without taking it: for a check that must pass before the session is used up. */
  async get(poolId: string, sessionHash: string): Promise<StoredAuthSession | undefined> {
    const row = await this.db.selectFrom('auth_sessions').selectAll().where('pool_id', '=', poolId).where('session_hash', '=', sessionHash).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('expires_at', '<', now.getTime()).execute();
  }
}

function fromRow(row: AuthSessionsTable): StoredAuthSession {
  return {
    poolId: row.pool_id,
    sessionHash: row.session_hash,
    clientId: row.client_id,
    usernameKey: row.username_key,
    challenge: row.challenge,
    state: JSON.parse(row.state) as Record<string, unknown>,
    expiresAt: new Date(Number(row.expires_at)),
  };
}
