import type { Kysely } from 'kysely';

/**
 * A user pool's external identity providers (CreateIdentityProvider): OIDC, SAML and the social ones, by
 * name. Their identifiers (IdpIdentifiers) have a table of their own, keyed by identifier, so that two
 * providers created at once cannot both take the same one: the database refuses the second.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(32)', (c) => c.notNull())
    /** SAML, OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple. */
    .addColumn('provider_type', 'varchar(32)', (c) => c.notNull())
    /** JSON object: ProviderDetails, its secrets (client_secret, private_key) sealed with the secrets key. */
    .addColumn('details', 'text', (c) => c.notNull())
    /** JSON object: user pool attribute to the IdP's claim. */
    .addColumn('attribute_mapping', 'text', (c) => c.notNull())
    /** JSON array: the identifiers, as given (identity_provider_identifiers holds them for uniqueness). */
    .addColumn('idp_identifiers', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_providers_pk', ['pool_id', 'provider_name'])
    .execute();
  await db.schema
    .createTable('identity_provider_identifiers')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('identifier', 'varchar(40)', (c) => c.notNull())
    .addColumn('provider_name', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_provider_identifiers_pk', ['pool_id', 'identifier'])
    .execute();
  await db.schema
    .createIndex('identity_provider_identifiers_by_provider')
    .on('identity_provider_identifiers')
    .columns(['pool_id', 'provider_name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_provider_identifiers').execute();
  await db.schema.dropTable('identity_providers').execute();
}
