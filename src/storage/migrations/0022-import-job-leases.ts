import type { Kysely } from 'kysely';

/**
 * Until when the process running a user import job vouches for it, renewed with every progress write. A
 * job whose process died (a crash, a restart, a lost node) keeps its Pending, InProgress or Stopping
 * status; once its lease has run out, the next read ends it instead of showing it running for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_import_jobs').addColumn('lease_expires_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_import_jobs').dropColumn('lease_expires_at').execute();
}
