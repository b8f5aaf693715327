import type { Kysely } from 'kysely';

/**
 * OAuth 2.0 and the hosted UI: authorization codes, hosted-UI sessions, and the scopes of a sign-in kept
 * beside its refresh tokens (an OAuth sign-in's refresh keeps its scopes; an API sign-in's has none).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Codes are stored only as keyed hashes. `origin_jti` is chosen when the code is issued, so a replayed
  // code can revoke what its first redemption issued even while that redemption is still running.
  await db.schema
    .createTable('oauth_codes')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('redirect_uri', 'varchar(1024)', (c) => c.notNull())
    /** Space-separated, as the `scope` claim. */
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'varchar(128)')
    .addColumn('nonce', 'varchar(1024)')
    .addColumn('origin_jti', 'varchar(36)', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    /** Set by the first redemption; a second one finds it set and revokes what the first issued. */
    .addColumn('used_at', 'bigint')
    /** Set by a replay; the first redemption checks it after issuing, so a racing replay still revokes. */
    .addColumn('replayed_at', 'bigint')
    .addPrimaryKeyConstraint('oauth_codes_pk', ['pool_id', 'code_hash'])
    .execute();
  await db.schema.createIndex('oauth_codes_by_expiry').on('oauth_codes').columns(['expires_at']).execute();

  // Hosted-UI sign-in sessions (single sign-on across a pool's clients). The cookie holds a random id;
  // only its keyed hash is stored, and deleting the row ends the session everywhere (logout).
  await db.schema
    .createTable('hosted_ui_sessions')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('session_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('sub', 'varchar(36)', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('hosted_ui_sessions_pk', ['pool_id', 'session_hash'])
    .execute();
  await db.schema.createIndex('hosted_ui_sessions_by_expiry').on('hosted_ui_sessions').columns(['expires_at']).execute();

  /** The OAuth scopes of the sign-in a refresh token belongs to; null for API sign-ins. */
  await db.schema.alterTable('refresh_tokens').addColumn('scopes', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('scopes').execute();
  await db.schema.dropTable('hosted_ui_sessions').execute();
  await db.schema.dropTable('oauth_codes').execute();
}
