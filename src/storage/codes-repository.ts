import type { Db } from './database.js';

export interface StoredCode {
  codeHash: string;
  /** What the code confirms, when that is more than the user (e.g. a pending new email). */
  payload?: string;
  attempts: number;
  expiresAt: Date;
  createdAt: Date;
}

/** One live code per user and purpose; a new code replaces the old one. */
export class CodesRepository {
  constructor(private readonly db: Db) {}

  async put(poolId: string, usernameKey: string, purpose: string, code: StoredCode): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('user_codes').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).where('purpose', '=', purpose).execute();
      await tx
        .insertInto('user_codes')
        .values({
          pool_id: poolId,
          username_key: usernameKey,
          purpose,
          code_hash: code.codeHash,
          payload: code.payload ?? null,
          attempts: code.attempts,
          expires_at: code.expiresAt.getTime(),
          created_at: code.createdAt.getTime(),
        })
        .execute();
    });
  }

  async get(poolId: string, usernameKey: string, purpose: string): Promise<StoredCode | undefined> {
    const row = await this.db
      .selectFrom('user_codes')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return row
      ? { codeHash: row.code_hash, ...(row.payload !== null && { payload: row.payload }), attempts: Number(row.attempts), expiresAt: new Date(row.expires_at), createdAt: new Date(row.created_at) }
      : undefined;
  }

  /**
   * Counts an attempt and returns the count it made, 0 when there is no code. One statement: read apart,
   * two concurrent guesses could both see the later count, and more guesses than the limit be compared
   * (seen on PostgreSQL in test/self-service.test.ts, concurrent guesses).
   */
  async recordFailedAttempt(poolId: string, usernameKey: string, purpose: string): Promise<number> {
    const row = await this.db
      .updateTable('user_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('purpose', '=', purpose)
      .returning('attempts')
      .executeTakeFirst();
    return row ? Number(row.attempts) : 0;
  }

  /** Consumes the code if it still has this hash: true for exactly one of several racing callers. */
  async consume(poolId: string, usernameKey: string, purpose: string, codeHash: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('user_codes')
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('purpose', '=', purpose)
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
