import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Users, their sign-in aliases, groups and memberships. The attributes ListUsers can filter on are kept
 * in their own indexed columns (besides the JSON document), so a filter at a million users is an index
 * range scan; `^=` prefix filters become `>= prefix AND < prefix+U+FFFF`, which both engines index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Prefix ranges and paging need code-point order; PostgreSQL databases often default to a
  // locale collation (en_US) that orders differently, so sorted columns say so. SQLite compares bytes.
  const sorted = (length: number) =>
    db.getExecutor().adapter instanceof PostgresAdapter ? sql.raw(`varchar(${length}) collate "C"`) : sql.raw(`varchar(${length})`);
  await db.schema
    .createTable('users')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    /** The username as looked up: lower-cased in case-insensitive pools. */
    .addColumn('username_key', sorted(128), (c) => c.notNull())
    .addColumn('username', 'varchar(128)', (c) => c.notNull())
    .addColumn('sub', sorted(36), (c) => c.notNull())
    .addColumn('status', sorted(32), (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    /** Password hashes, verifier and their state, as one JSON document owned by userpools/password-store.ts. */
    .addColumn('credentials', 'text')
    .addColumn('email', sorted(2048))
    .addColumn('phone_number', sorted(2048))
    .addColumn('name', sorted(2048))
    .addColumn('given_name', sorted(2048))
    .addColumn('family_name', sorted(2048))
    .addColumn('preferred_username', sorted(2048))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['pool_id', 'username_key'])
    .execute();
  await db.schema.createIndex('users_by_sub').on('users').columns(['pool_id', 'sub']).unique().execute();
  for (const column of ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'status']) {
    await db.schema.createIndex(`users_by_${column}`).on('users').columns(['pool_id', column, 'username_key']).execute();
  }

  // One row per sign-in alias in use; the primary key is what makes an alias unique in its pool,
  // even between two requests racing to claim it.
  await db.schema
    .createTable('user_aliases')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('value', sorted(2048), (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_aliases_pk', ['pool_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('user_aliases_by_user').on('user_aliases').columns(['pool_id', 'username_key']).execute();

  await db.schema
    .createTable('user_groups')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('group_name', sorted(128), (c) => c.notNull())
    .addColumn('description', 'varchar(2048)')
    .addColumn('role_arn', 'varchar(2048)')
    .addColumn('precedence', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_groups_pk', ['pool_id', 'group_name'])
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('group_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['pool_id', 'group_name', 'username_key'])
    .execute();
  await db.schema.createIndex('group_members_by_user').on('group_members').columns(['pool_id', 'username_key', 'group_name']).execute();

  // One live code per user and purpose (sign-up confirmation, password reset, attribute verification),
  // stored as a hash; `attempts` counts wrong guesses so a code cannot be brute-forced.
  await db.schema
    .createTable('user_codes')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(64)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_codes_pk', ['pool_id', 'username_key', 'purpose'])
    .execute();

  // The development mailbox: every message Gatehouse would send, readable at GET /_dev/messages.
  await db.schema
    .createTable('dev_messages')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('medium', 'varchar(8)', (c) => c.notNull())
    .addColumn('recipient', 'varchar(2048)', (c) => c.notNull())
    .addColumn('subject', 'varchar(2048)')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dev_messages_pk', ['pool_id', 'message_id'])
    .execute();
  await db.schema.createIndex('dev_messages_by_recipient').on('dev_messages').columns(['recipient', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['dev_messages', 'user_codes', 'group_members', 'user_groups', 'user_aliases', 'users']) await db.schema.dropTable(table).execute();
}
