import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_pools')
    .addColumn('pool_id', 'varchar(55)', (c) => c.primaryKey())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // ListUserPools pages through one region's pools in id order.
  await db.schema.createIndex('user_pools_by_region').on('user_pools').columns(['region', 'pool_id']).execute();

  await db.schema
    .createTable('user_pool_clients')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_pool_clients_pk', ['pool_id', 'client_id'])
    .execute();
  // Unsigned requests name only a client id; its pool (and so its region) is found through this index.
  await db.schema.createIndex('user_pool_clients_by_client_id').on('user_pool_clients').column('client_id').unique().execute();

  await db.schema
    .createTable('gatehouse_meta')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('gatehouse_meta').execute();
  await db.schema.dropTable('user_pool_clients').execute();
  await db.schema.dropTable('user_pools').execute();
}
