import type { Kysely } from 'kysely';

/** IAM-style roles that identity pools hand credentials for, and their inline policies. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('iam_roles')
    .addColumn('role_name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('role_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('path', 'varchar(512)', (c) => c.notNull())
    .addColumn('description', 'varchar(1000)')
    .addColumn('assume_role_policy', 'text', (c) => c.notNull())
    .addColumn('max_session_duration', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('iam_role_policies')
    .addColumn('role_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('policy_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_role_policies_pk', ['role_name', 'policy_name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('iam_role_policies').execute();
  await db.schema.dropTable('iam_roles').execute();
}
