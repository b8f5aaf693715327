import { Migrator, type Kysely, type Migration } from 'kysely';
import * as userPools from './migrations/0001-user-pools.js';

/** Every migration, in order. A new one is a new file here and one line below; never edit an applied one. */
const migrations: Record<string, Migration> = {
  '0001-user-pools': userPools,
};

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
