import type { Kysely } from 'kysely';

/**
 * The IdP-initiated SAML assertions a pool has accepted (by the assertion's ID), until they are too old to
 * be accepted anyway: nothing ties an unsolicited assertion to a browser, so this is what makes it good once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('saml_assertions_used')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('assertion_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_assertions_used_pk', ['pool_id', 'provider_name', 'assertion_id'])
    .execute();
  await db.schema.createIndex('saml_assertions_used_by_expiry').on('saml_assertions_used').columns(['expires_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('saml_assertions_used').execute();
}
