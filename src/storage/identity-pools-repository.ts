import type { Db } from './database.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';
import { IDENTITY_POOL_TABLES, type IdentityPoolsTable } from './schema.js';
import { rethrowDuplicate, updateOptimistically } from './conflicts.js';
import { ParsedSettings } from './parsed-settings.js';
import { deletePoolRows, newPoolRow, writePoolRow } from './pool-rows.js';
import type { IdentityPoolSettings } from '../identitypools/identity-pool-settings.js';

export interface StoredIdentityPool {
  id: string;
  region: string;
  name: string;
  settings: IdentityPoolSettings;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { pool_id: string; region: string; name: string; settings: string; version: number; created_at: number; updated_at: number };

const parsedSettings = new ParsedSettings<IdentityPoolSettings>();

function fromRow(row: Row): StoredIdentityPool {
  return {
    id: row.pool_id,
    region: row.region,
    name: row.name,
    settings: parsedSettings.of(row.pool_id, row.version, row.settings),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class IdentityPoolsRepository {
  /** Read by every GetId and GetCredentialsForIdentity. */
  private readonly byId: PreparedQuery<IdentityPoolsTable, [poolId: string]>;

  constructor(private readonly db: Db) {
    this.byId = new PreparedQuery(db, (poolId: string) => db.selectFrom('identity_pools').selectAll().where('pool_id', '=', poolId), { cached: CONFIGURATION_READS });
  }

  async insert(pool: StoredIdentityPool): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('identity_pools')
        .values(newPoolRow(pool))
        .execute(),
      `identity pool ${pool.id} exists`,
    );
  }

  async get(poolId: string): Promise<StoredIdentityPool | undefined> {
    const row = await this.byId.first(poolId);
    return row ? fromRow(row) : undefined;
  }

  async list(region: string, limit: number, afterId?: string): Promise<StoredIdentityPool[]> {
    let query = this.db.selectFrom('identity_pools').selectAll().where('region', '=', region);
    if (afterId !== undefined) query = query.where('pool_id', '>', afterId);
    return (await query.orderBy('pool_id').limit(limit).execute()).map(fromRow);
  }

  async update(poolId: string, now: Date, change: (pool: StoredIdentityPool) => StoredIdentityPool): Promise<StoredIdentityPool | undefined> {
    let updated: StoredIdentityPool | undefined;
    await updateOptimistically(
      () => this.db.selectFrom('identity_pools').selectAll().where('pool_id', '=', poolId).executeTakeFirst(),
      async (row) => {
        updated = { ...change(fromRow(row)), updatedAt: now };
        return writePoolRow(this.db, 'identity_pools', poolId, row.version, updated, now);
      },
    );
    return updated;
  }

  /** Deletes the pool with its identities and logins. */
  async delete(poolId: string): Promise<boolean> {
    return deletePoolRows(this.db, IDENTITY_POOL_TABLES, poolId);
  }
}
