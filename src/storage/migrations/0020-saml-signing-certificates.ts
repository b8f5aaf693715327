import type { Kysely } from 'kysely';

/** A user pool's SAML signing key (sealed) and certificate (GetSigningCertificate), made when first asked for. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('saml_signing_certificates')
    .addColumn('pool_id', 'varchar(55)', (c) => c.primaryKey())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('saml_signing_certificates').execute();
}
