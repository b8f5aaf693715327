import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * What the hosted UI is served under and with: user pool domains, resource servers (OAuth custom scopes)
 * and the hosted UI's CSS and logo.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Resource servers are listed a page at a time in identifier order, which must be code-point order on
  // PostgreSQL too (see 0002-users-and-groups.ts).
  const sorted = (length: number) =>
    db.getExecutor().adapter instanceof PostgresAdapter ? sql.raw(`varchar(${length}) collate "C"`) : sql.raw(`varchar(${length})`);

  // The domain is the key: a prefix (`myapp`) or a custom domain (`auth.example.com`) belongs to one pool
  // in the whole installation, which is what the hosted UI looks a request's host up by.
  await db.schema
    .createTable('user_pool_domains')
    .addColumn('domain', 'varchar(253)', (c) => c.primaryKey())
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('certificate_arn', 'varchar(2048)')
    .addColumn('managed_login_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A pool has at most one prefix domain and one custom domain; the unique index holds that even between
  // two racing CreateUserPoolDomain calls, and serves the lookup of a pool's domains.
  await db.schema.createIndex('user_pool_domains_by_pool').on('user_pool_domains').columns(['pool_id', 'kind']).unique().execute();

  await db.schema
    .createTable('resource_servers')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('identifier', sorted(256), (c) => c.notNull())
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    /** `[{ScopeName, ScopeDescription}]` as JSON. */
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_servers_pk', ['pool_id', 'identifier'])
    .execute();

  // One row for the pool (client_id 'ALL') and one per app client that has its own.
  await db.schema
    .createTable('ui_customizations')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('css', 'text')
    /** The logo, base64. */
    .addColumn('image', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ui_customizations_pk', ['pool_id', 'client_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ui_customizations', 'resource_servers', 'user_pool_domains']) await db.schema.dropTable(table).execute();
}
