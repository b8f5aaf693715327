import type { Kysely } from 'kysely';

/** Each user's multi-factor authentication: which factors are on and preferred, and the TOTP authenticator. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_mfa')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('sms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sms_preferred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('totp_preferred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email_preferred', 'integer', (c) => c.notNull().defaultTo(0))
    /** The verified TOTP secret, sealed with the secrets key; null until VerifySoftwareToken succeeds. */
    .addColumn('totp_secret', 'text')
    /** A secret from AssociateSoftwareToken waiting for its first code (sealed); the verified one works meanwhile. */
    .addColumn('totp_pending_secret', 'text')
    .addColumn('totp_device_name', 'text')
    /** The TOTP time step of the last code accepted: a code is never accepted twice (RFC 6238 §5.2). */
    .addColumn('totp_last_step', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_mfa_pk', ['pool_id', 'username_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_mfa').execute();
}
