import type { Kysely } from 'kysely';

/**
 * Terms documents (CreateTerms): per app client, one terms of use and one privacy policy, each a map of
 * links by language, which the hosted sign-up page shows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('terms')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('terms_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    /** terms-of-use or privacy-policy: one of each per client. */
    .addColumn('terms_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('terms_source', 'text', (c) => c.notNull())
    .addColumn('enforcement', 'text', (c) => c.notNull())
    /** JSON object: language id (cognito:default, cognito:english, …) to URL. */
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('terms_pk', ['pool_id', 'terms_id'])
    .addUniqueConstraint('terms_by_client', ['pool_id', 'client_id', 'terms_name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('terms').execute();
}
