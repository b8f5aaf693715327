import type { Db } from './database.js';
import { USER_POOL_TABLES } from './schema.js';
import { rethrowDuplicate, updateOptimistically } from './conflicts.js';
import { deletePoolRows, writePoolRow } from './pool-rows.js';
import { PreparedQuery } from './prepared-query.js';
import type { UserPoolSettings } from '../userpools/user-pool-settings.js';

export interface StoredUserPool {
  id: string;
  region: string;
  name: string;
  /** Shared between readers of the same version, so frozen: change a copy. */
  settings: UserPoolSettings;
  createdAt: Date;
  updatedAt: Date;
  /** Users in the pool; read-only here (user inserts and deletes move it). */
  userCount?: number;
}

type Row = {
  pool_id: string;
  region: string;
  name: string;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
  user_count: number;
};

/**
 * Parsed settings by pool and version. A pool is read on nearly every request and its settings are a
 * few kilobytes of JSON; parsing them again was a fifth of DescribeUserPool's time (npm run bench). The
 * row is still read every time, so a change made by another node is seen at once.
 */
const parsedSettings = new Map<string, UserPoolSettings>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function settingsOf(row: Row): UserPoolSettings {
  const key = `${row.pool_id}:${row.version}`;
  let settings = parsedSettings.get(key);
  if (!settings) {
    settings = deepFreeze(JSON.parse(row.settings) as UserPoolSettings);
    if (parsedSettings.size >= 1000) parsedSettings.delete(parsedSettings.keys().next().value!);
    parsedSettings.set(key, settings);
  }
  return settings;
}

function fromRow(row: Row): StoredUserPool {
  return {
    id: row.pool_id,
    region: row.region,
    name: row.name,
    settings: settingsOf(row),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    userCount: Number(row.user_count ?? 0),
  };
}

export class UserPoolsRepository {
  /** Read on nearly every request. */
  private readonly byId: PreparedQuery<Row, [poolId: string]>;

  constructor(private readonly db: Db) {
    this.byId = new PreparedQuery(db, (poolId: string) => db.selectFrom('user_pools').selectAll().where('pool_id', '=', poolId));
  }

  async insert(pool: StoredUserPool): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('user_pools')
        .values({
          pool_id: pool.id,
          region: pool.region,
          name: pool.name,
          settings: JSON.stringify(pool.settings),
          version: 1,
          created_at: pool.createdAt.getTime(),
          updated_at: pool.updatedAt.getTime(),
          user_count: 0,
        })
        .execute(),
      `user pool ${pool.id} exists`,
    );
  }

  async get(poolId: string): Promise<StoredUserPool | undefined> {
    const row = await this.byId.first(poolId);
    return row ? fromRow(row) : undefined;
  }

  /** One region's pools in id order, starting after `afterId`. */
  async list(region: string, limit: number, afterId?: string): Promise<StoredUserPool[]> {
    let query = this.db.selectFrom('user_pools').selectAll().where('region', '=', region);
    if (afterId !== undefined) query = query.where('pool_id', '>', afterId);
    const rows = await query.orderBy('pool_id').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** Applies `change` to the stored pool; undefined when the pool does not exist. */
  async update(poolId: string, now: Date, change: (pool: StoredUserPool) => StoredUserPool): Promise<StoredUserPool | undefined> {
    let updated: StoredUserPool | undefined;
    await updateOptimistically(
      () => this.byId.first(poolId),
      async (row) => {
        updated = { ...change(fromRow(row)), updatedAt: now };
        return writePoolRow(this.db, 'user_pools', poolId, row.version, updated, now);
      },
    );
    return updated;
  }

  /** Deletes the pool and everything in it, atomically. False when there was no such pool. */
  async delete(poolId: string): Promise<boolean> {
    return deletePoolRows(this.db, USER_POOL_TABLES, poolId);
  }
}
