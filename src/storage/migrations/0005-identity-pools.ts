import type { Kysely } from 'kysely';

/**
 * Identity pools, their identities, and the logins linked to each identity. The primary key of
 * identity_logins is what keeps one login on one identity, even between racing GetId calls.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_pools')
    .addColumn('pool_id', 'varchar(55)', (c) => c.primaryKey())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identity_pools_by_region').on('identity_pools').columns(['region', 'pool_id']).execute();

  await db.schema
    .createTable('identities')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('identity_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identities_pk', ['pool_id', 'identity_id'])
    .execute();
  // Unsigned calls (GetOpenIdToken, GetCredentialsForIdentity) name only the identity.
  await db.schema.createIndex('identities_by_id').on('identities').column('identity_id').unique().execute();

  await db.schema
    .createTable('identity_logins')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('provider', 'varchar(256)', (c) => c.notNull())
    .addColumn('subject', 'varchar(512)', (c) => c.notNull())
    .addColumn('identity_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_logins_pk', ['pool_id', 'provider', 'subject'])
    .execute();
  await db.schema.createIndex('identity_logins_by_identity').on('identity_logins').columns(['pool_id', 'identity_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_logins', 'identities', 'identity_pools']) await db.schema.dropTable(table).execute();
}
