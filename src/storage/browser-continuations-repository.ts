import type { Db } from './database.js';

/** Values kept for a browser's round trip through a SAML IdP (migration 0023), each taken once. */
export class BrowserContinuationsRepository {
  constructor(private readonly db: Db) {}

  async insert(poolId: string, idHash: string, sealed: string, expiresAt: Date): Promise<void> {
    await this.db.insertInto('browser_continuations').values({ pool_id: poolId, id_hash: idHash, sealed, expires_at: expiresAt.getTime() }).execute();
  }

  async get(poolId: string, idHash: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('browser_continuations').select('sealed').where('pool_id', '=', poolId).where('id_hash', '=', idHash).executeTakeFirst();
    return row?.sealed;
  }

  /** Deletes it; false when it was gone already (of two requests racing with one id, one gets true). */
  async take(poolId: string, idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('browser_continuations').where('pool_id', '=', poolId).where('id_hash', '=', idHash).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('browser_continuations').where('expires_at', '<', now.getTime()).execute();
  }
}
