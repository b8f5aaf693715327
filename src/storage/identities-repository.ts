import type { Db } from './database.js';
import { PreparedQuery, PER_USER_READS } from './prepared-query.js';
import type { IdentitiesTable, IdentityLoginsTable } from './schema.js';
import { isUniqueViolation } from './conflicts.js';

export interface StoredIdentity {
  poolId: string;
  identityId: string;
  createdAt: Date;
  updatedAt: Date;
  /** Linked logins: provider name → subject (the user at that provider). */
  logins: { provider: string; subject: string }[];
}

export interface Login {
  provider: string;
  subject: string;
}

export class IdentitiesRepository {
  // The reads of every GetId and GetCredentialsForIdentity.
  private readonly byId: PreparedQuery<IdentitiesTable, [identityId: string]>;
  private readonly loginsById: PreparedQuery<Pick<IdentityLoginsTable, 'provider' | 'subject'>, [poolId: string, identityId: string]>;
  private readonly byLogin: PreparedQuery<Pick<IdentityLoginsTable, 'identity_id'>, [poolId: string, provider: string, subject: string]>;

  constructor(private readonly db: Db) {
    this.byId = new PreparedQuery(db, (identityId: string) => db.selectFrom('identities').selectAll().where('identity_id', '=', identityId), { cached: PER_USER_READS });
    this.loginsById = new PreparedQuery(db, (poolId: string, identityId: string) =>
      db.selectFrom('identity_logins').select(['provider', 'subject']).where('pool_id', '=', poolId).where('identity_id', '=', identityId).orderBy('provider'),
      { cached: PER_USER_READS },
    );
    this.byLogin = new PreparedQuery(db, (poolId: string, provider: string, subject: string) =>
      db.selectFrom('identity_logins').select('identity_id').where('pool_id', '=', poolId).where('provider', '=', provider).where('subject', '=', subject),
      { cached: PER_USER_READS },
    );
  }

  async create(poolId: string, identityId: string, now: Date): Promise<void> {
    await this.db.insertInto('identities').values({ pool_id: poolId, identity_id: identityId, created_at: now.getTime(), updated_at: now.getTime() }).execute();
  }

  /** Finds an identity by id alone (its pool comes with it). */
  async get(identityId: string): Promise<StoredIdentity | undefined> {
    const row = await this.byId.first(identityId);
    if (!row) return undefined;
    const logins = await this.loginsById.all(row.pool_id, identityId);
    return { poolId: row.pool_id, identityId, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), logins };
  }

  /** The identity a login is linked to, if any. */
  async findByLogin(poolId: string, login: Login): Promise<string | undefined> {
    return (await this.byLogin.first(poolId, login.provider, login.subject))?.identity_id;
  }

  /** Links a login to an identity; false when the login is already linked (to any identity). */
  async link(poolId: string, identityId: string, login: Login, now: Date): Promise<boolean> {
    try {
      await this.db
        .insertInto('identity_logins')
        .values({ pool_id: poolId, provider: login.provider, subject: login.subject, identity_id: identityId, created_at: now.getTime() })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    await this.touch(poolId, identityId, now);
    return true;
  }

  async unlink(poolId: string, identityId: string, login: Login, now: Date): Promise<void> {
    await this.db
      .deleteFrom('identity_logins')
      .where('pool_id', '=', poolId)
      .where('identity_id', '=', identityId)
      .where('provider', '=', login.provider)
      .where('subject', '=', login.subject)
      .execute();
    await this.touch(poolId, identityId, now);
  }

  /** Moves every login of `from` to `to` and deletes `from`: merging two identities. */
  async merge(poolId: string, from: string, to: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('identity_logins').set({ identity_id: to }).where('pool_id', '=', poolId).where('identity_id', '=', from).execute();
      await tx.deleteFrom('identities').where('pool_id', '=', poolId).where('identity_id', '=', from).execute();
      await tx.updateTable('identities').set({ updated_at: now.getTime() }).where('pool_id', '=', poolId).where('identity_id', '=', to).execute();
    });
  }

  async delete(identityId: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('identities').select('pool_id').where('identity_id', '=', identityId).executeTakeFirst();
      if (!row) return false;
      await tx.deleteFrom('identity_logins').where('pool_id', '=', row.pool_id).where('identity_id', '=', identityId).execute();
      await tx.deleteFrom('identities').where('pool_id', '=', row.pool_id).where('identity_id', '=', identityId).execute();
      return true;
    });
  }

  async list(poolId: string, limit: number, afterId?: string): Promise<StoredIdentity[]> {
    let query = this.db.selectFrom('identities').selectAll().where('pool_id', '=', poolId);
    if (afterId !== undefined) query = query.where('identity_id', '>', afterId);
    const rows = await query.orderBy('identity_id').limit(limit).execute();
    if (rows.length === 0) return [];
    const logins = await this.db
      .selectFrom('identity_logins')
      .select(['identity_id', 'provider', 'subject'])
      .where('pool_id', '=', poolId)
      .where(
        'identity_id',
        'in',
        rows.map((r) => r.identity_id),
      )
      .execute();
    return rows.map((r) => ({
      poolId,
      identityId: r.identity_id,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      logins: logins.filter((l) => l.identity_id === r.identity_id).map(({ provider, subject }) => ({ provider, subject })),
    }));
  }

  /** Every login of one provider in the pool with `subject`, or of one identity (developer identities). */
  async loginsOf(poolId: string, identityId: string, provider: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('identity_logins')
      .select('subject')
      .where('pool_id', '=', poolId)
      .where('identity_id', '=', identityId)
      .where('provider', '=', provider)
      .orderBy('subject')
      .execute();
    return rows.map((r) => r.subject);
  }

  private async touch(poolId: string, identityId: string, now: Date): Promise<void> {
    await this.db.updateTable('identities').set({ updated_at: now.getTime() }).where('pool_id', '=', poolId).where('identity_id', '=', identityId).execute();
  }
}
