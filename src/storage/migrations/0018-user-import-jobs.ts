import type { Kysely } from 'kysely';

/**
 * User import jobs (CreateUserImportJob): a job's state and counts, and the CSV file uploaded to its
 * pre-signed URL. The file is kept in the database, not on a node's disk, so that any node can take the
 * upload and any node can run the import.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_import_jobs')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('job_name', 'text', (c) => c.notNull())
    /** Required by Cognito's model; kept and shown, never used (Gatehouse logs to its own log). */
    .addColumn('cloudwatch_logs_role_arn', 'text', (c) => c.notNull())
    /** Created, Pending, InProgress, Stopping, Stopped, Succeeded or Failed. */
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** When the pre-signed upload URL stops working. */
    .addColumn('upload_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('imported_users', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_users', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_users', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_message', 'text')
    /** The uploaded CSV, and its size in bytes: null until a file is uploaded. */
    .addColumn('file', 'text')
    .addColumn('file_bytes', 'bigint')
    .addPrimaryKeyConstraint('user_import_jobs_pk', ['pool_id', 'job_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_import_jobs').execute();
}
