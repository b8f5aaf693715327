import type { Kysely } from 'kysely';

/**
 * What a provider's cross-site POST brought (a SAML response's claims, Sign in with Apple's form), kept for
 * the two minutes the browser has to follow our redirect to a GET of our own, which carries its cookies.
 * Kept here rather than sealed into that redirect's URL: an IdP's assertion can carry more attributes than
 * a URL can (16 KB of request head is Node's limit, and browsers and proxies have theirs). Keyed by a keyed
 * hash of the id in the URL; `sealed` is encrypted, for the pool and purpose; taken once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('browser_continuations')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('id_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('browser_continuations_pk', ['pool_id', 'id_hash'])
    .execute();
  await db.schema.createIndex('browser_continuations_by_expiry').on('browser_continuations').columns(['expires_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('browser_continuations').execute();
}
