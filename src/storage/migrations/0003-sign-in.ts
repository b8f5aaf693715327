import type { Kysely } from 'kysely';

/** Signing keys, refresh tokens, challenge sessions, and the failed-sign-in counter of each user. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('kid', 'varchar(64)', (c) => c.notNull())
    /** The private JWK, sealed with the secrets key. */
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** Set when a newer key takes over signing; the key still verifies what it signed until those tokens expire. */
    .addColumn('retired_at', 'bigint')
    .addPrimaryKeyConstraint('signing_keys_pk', ['pool_id', 'kid'])
    .execute();

  // Refresh tokens are stored only as keyed hashes. `origin_jti` names the sign-in they come from: access
  // and ID tokens carry it, so revoking the refresh token revokes them too.
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('origin_jti', 'varchar(36)', (c) => c.notNull())
    .addColumn('device_key', 'varchar(64)')
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    /** After rotation the old token works until this moment (the client's retry grace period). */
    .addColumn('usable_until', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('refresh_tokens_pk', ['pool_id', 'token_hash'])
    .execute();
  await db.schema.createIndex('refresh_tokens_by_origin').on('refresh_tokens').columns(['pool_id', 'origin_jti']).execute();
  await db.schema.createIndex('refresh_tokens_by_user').on('refresh_tokens').columns(['pool_id', 'username_key']).execute();

  // Challenge sessions between InitiateAuth and RespondToAuthChallenge: single use, short-lived.
  await db.schema
    .createTable('auth_sessions')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('session_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('challenge', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('auth_sessions_pk', ['pool_id', 'session_hash'])
    .execute();

  // A verification code can carry what it confirms: the new email or phone number waiting for it
  // (UserAttributeUpdateSettings keeps the old value until the new one is verified).
  await db.schema.alterTable('user_codes').addColumn('payload', 'text').execute();

  await db.schema.alterTable('users').addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('locked_until', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_codes').dropColumn('payload').execute();
  await db.schema.alterTable('users').dropColumn('locked_until').execute();
  await db.schema.alterTable('users').dropColumn('failed_sign_ins').execute();
  for (const table of ['auth_sessions', 'refresh_tokens', 'signing_keys']) await db.schema.dropTable(table).execute();
}
