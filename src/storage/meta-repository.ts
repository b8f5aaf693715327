import type { Db } from './database.js';
import { IDENTITY_POOL_TABLES, USER_POOL_TABLES } from './schema.js';
import { isUniqueViolation } from './conflicts.js';

/** Installation-wide values, and the development reset. */
export class MetaRepository {
  constructor(private readonly db: Db) {}

  /** Returns the stored value, storing `create()` first if there is none (first writer wins across nodes). */
  async getOrCreate(key: string, create: () => string): Promise<string> {
    const existing = await this.db.selectFrom('gatehouse_meta').select('value').where('key', '=', key).executeTakeFirst();
    if (existing) return existing.value;
    try {
      await this.db.insertInto('gatehouse_meta').values({ key, value: create() }).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.db.selectFrom('gatehouse_meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  }

  /** Wipes every pool and role and what is in them; installation values such as the secrets key stay. */
  async deleteAllPools(): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const table of [...IDENTITY_POOL_TABLES, ...USER_POOL_TABLES, 'iam_role_policies', 'iam_roles'] as const) await tx.deleteFrom(table).execute();
    });
  }
}
