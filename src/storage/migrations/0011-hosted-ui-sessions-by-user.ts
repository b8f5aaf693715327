import type { Kysely } from 'kysely';

/** Global sign-out ends every hosted-UI session of the user: found by user, not by the cookie's hash. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('hosted_ui_sessions_by_user').on('hosted_ui_sessions').columns(['pool_id', 'username_key']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('hosted_ui_sessions_by_user').execute();
}
