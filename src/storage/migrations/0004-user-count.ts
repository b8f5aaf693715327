import { sql, type Kysely } from 'kysely';

/**
 * DescribeUserPool's EstimatedNumberOfUsers, kept as a counter that user inserts and deletes move in the
 * same transaction: counting the users table on every describe is a full index scan at a million users.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_pools').addColumn('user_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update user_pools set user_count = (select count(*) from users where users.pool_id = user_pools.pool_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_pools').dropColumn('user_count').execute();
}
