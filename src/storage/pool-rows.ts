import { BoundedMap } from '../bounded-map.js';
import type { Db } from './database.js';

/** The two aggregates stored as one row of JSON settings with an optimistic-concurrency version. */
type PoolTable = 'user_pools' | 'identity_pools';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Parsed settings by pool and version, deep-frozen so that every reader of that version shares one. A
 * pool is read on nearly every request and its settings are kilobytes of JSON: parsing them again was a
 * fifth of DescribeUserPool's time and a twentieth of GetCredentialsForIdentity's (npm run bench). The
 * row is still read every time, so a change made by another node is seen at once. Settings are changed
 * by copying (writePoolRow), never in place.
 */
export class ParsedSettings<Settings> {
  private readonly parsed = new BoundedMap<string, Settings>(1_000);

  /** The parsed settings of this version of the pool, if they were parsed already. */
  known(row: { pool_id: string; version: number }): Settings | undefined {
    return this.parsed.get(`${row.pool_id}:${row.version}`);
  }

  of(row: { pool_id: string; version: number; settings: string }): Settings {
    let settings = this.known(row);
    if (!settings) {
      settings = deepFreeze(JSON.parse(row.settings) as Settings);
      this.parsed.set(`${row.pool_id}:${row.version}`, settings);
    }
    return settings;
  }
}

/** The columns both pool tables share, for a new pool's row (version 1). */
export function newPoolRow(pool: { id: string; region: string; name: string; settings: unknown; createdAt: Date; updatedAt: Date }) {
  return {
    pool_id: pool.id,
    region: pool.region,
    name: pool.name,
    settings: JSON.stringify(pool.settings),
    version: 1,
    created_at: pool.createdAt.getTime(),
    updated_at: pool.updatedAt.getTime(),
  };
}

/** Writes a pool row only if it still has `version`: false when another writer got there first. */
export async function writePoolRow(db: Db, table: PoolTable, poolId: string, version: number, values: { name: string; settings: unknown }, now: Date): Promise<boolean> {
  // Both tables have these columns; Kysely cannot type an update over a union of tables.
  const result = await db
    .updateTable(table as 'user_pools')
    .set({ name: values.name, settings: JSON.stringify(values.settings), version: version + 1, updated_at: now.getTime() })
    .where('pool_id', '=', poolId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes a pool and its rows in every child table (children first), atomically; false when it did not exist. */
export async function deletePoolRows(db: Db, tables: readonly string[], poolId: string): Promise<boolean> {
  const root = tables[tables.length - 1];
  return db.transaction().execute(async (tx) => {
    let deleted = 0n;
    for (const table of tables) {
      const result = await tx
        .deleteFrom(table as 'user_pools')
        .where('pool_id', '=', poolId)
        .executeTakeFirst();
      if (table === root) deleted = result.numDeletedRows;
    }
    return deleted > 0n;
  });
}
