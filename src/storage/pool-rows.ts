import type { Db } from './database.js';

/** The two aggregates stored as one row of JSON settings with an optimistic-concurrency version. */
type PoolTable = 'user_pools' | 'identity_pools';

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
