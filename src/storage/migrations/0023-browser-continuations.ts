import type { Kysely } from 'kysely';

/**
 * Values kept for a browser's round trip through an identity provider, of which the browser or the
 * provider carries only a random id: what a provider's cross-site POST brought (a SAML response's claims,
 * Sign in with Apple's form), until the browser follows our redirect to a GET of our own that carries its
 * cookies; and what a SAML RelayState stands for. Not sealed into the URL or the RelayState themselves: an
 * assertion's attributes can outgrow a URL (16 KB of request head is Node's limit), and the SAML bindings
 * hold a RelayState to 80 bytes. Keyed by a keyed hash of the id; `sealed` is encrypted, for the pool and
 * purpose.
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
