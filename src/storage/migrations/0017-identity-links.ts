import type { Kysely } from 'kysely';

/**
 * Links from an external provider's user to a user of the pool (AdminLinkProviderForUser): when someone signs
 * in through `provider_name` and their `attribute_name` (Cognito_Subject: the provider's id for them; or a pool
 * attribute the provider maps) is `attribute_value`, they are the user `username_key`. The key makes a
 * provider's user linkable to one user only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_links')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('attribute_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('attribute_value', 'varchar(2048)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_links_pk', ['pool_id', 'provider_name', 'attribute_name', 'attribute_value'])
    .execute();
  await db.schema.createIndex('identity_links_by_user').on('identity_links').columns(['pool_id', 'username_key']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_links').execute();
}
