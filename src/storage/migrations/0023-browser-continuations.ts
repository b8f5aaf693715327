import type { Kysely } from 'kysely';

/**
 * Values kept for a browser's round trip through a SAML identity provider, of which the browser or the
 * IdP carries only a random id: a checked assertion's claims, until the browser follows our redirect from
 * the IdP's cross-site POST to a GET of our own that carries its cookies (the claims can outgrow any URL:
 * 16 KB of request head is Node's limit); and a single logout under way, under the LogoutRequest's
 * RelayState (the SAML bindings hold one to 80 bytes). Keyed by a keyed hash of the id; `sealed` is
 * encrypted, for the pool and purpose; each is taken once.
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
