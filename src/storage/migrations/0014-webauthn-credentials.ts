import type { Kysely } from 'kysely';

/**
 * Passkeys: each user's WebAuthn credentials registered with CompleteWebAuthnRegistration, kept as the
 * public key and signature counter that sign-ins with them are verified against. A credential id names one
 * authenticator key, so it belongs to one user of a pool.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    /** The credential id, base64url, as the authenticator made it. */
    .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    /** The COSE public key, base64url: not a secret. */
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_count', 'bigint', (c) => c.notNull())
    .addColumn('relying_party_id', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text')
    .addColumn('attachment', 'text')
    /** JSON array of the transports the browser reported (usb, internal, hybrid, …). */
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('webauthn_credentials_pk', ['pool_id', 'credential_id'])
    .execute();
  await db.schema.createIndex('webauthn_credentials_by_user').on('webauthn_credentials').columns(['pool_id', 'username_key', 'credential_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webauthn_credentials').execute();
}
