import type { Db } from './database.js';

/** The IdP-initiated SAML assertions accepted so far (migration 0019): each is accepted once. */
export class SamlAssertionsUsedRepository {
  constructor(private readonly db: Db) {}

  /** Records the assertion as used; false when it was used already (by this node or another). */
  async claim(poolId: string, providerName: string, assertionId: string, expiresAt: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('saml_assertions_used')
      .values({ pool_id: poolId, provider_name: providerName, assertion_id: assertionId, expires_at: expiresAt.getTime() })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('saml_assertions_used').where('expires_at', '<', now.getTime()).execute();
  }
}
