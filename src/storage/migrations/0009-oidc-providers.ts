import type { Kysely } from 'kysely';

/** IAM OpenID Connect providers: external issuers identity pools and STS trust, keyed by URL without scheme. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('iam_oidc_providers')
    .addColumn('provider_key', 'varchar(512)', (c) => c.primaryKey())
    .addColumn('url', 'varchar(600)', (c) => c.notNull())
    .addColumn('client_ids', 'text', (c) => c.notNull())
    .addColumn('thumbprints', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('iam_oidc_providers').execute();
}
