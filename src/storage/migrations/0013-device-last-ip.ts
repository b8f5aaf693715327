import type { Kysely } from 'kysely';

/** The address a device last signed in from (ConfirmDevice, then each device sign-in): Cognito's `last_ip_used`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('last_ip_used', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').dropColumn('last_ip_used').execute();
}
