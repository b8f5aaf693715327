import { sql } from 'kysely';
import type { Db } from './database.js';
import type { UserImportJobsTable } from './schema.js';

export type ImportJobStatus = 'Created' | 'Pending' | 'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Failed';
const ENDED: ReadonlySet<ImportJobStatus> = new Set(['Stopped', 'Succeeded', 'Failed']);

/** A user import job (CreateUserImportJob), without its file. */
export interface StoredUserImportJob {
  poolId: string;
  jobId: string;
  jobName: string;
  cloudWatchLogsRoleArn: string;
  status: ImportJobStatus;
  createdAt: Date;
  uploadExpiresAt: Date;
  startedAt?: Date;
  completedAt?: Date;
  importedUsers: number;
  skippedUsers: number;
  failedUsers: number;
  completionMessage?: string;
  /** The uploaded file's size in bytes; undefined until one is uploaded. */
  fileBytes?: number;
  /** Until when the process running a Pending, InProgress or Stopping job vouches for it. */
  leaseExpiresAt?: Date;
}

/** What a job's state change may set beside its status. */
type ImportJobChange = Partial<Pick<StoredUserImportJob, 'startedAt' | 'completedAt' | 'importedUsers' | 'skippedUsers' | 'failedUsers' | 'completionMessage' | 'leaseExpiresAt'>>;

/** The statuses of a job some process is running, or should be. */
export const RUNNING: readonly ImportJobStatus[] = ['Pending', 'InProgress', 'Stopping'];

/**
 * A running job without a lease was started by a process from before leases (migration 0022), which does
 * not renew one: an hour from its start vouches for it, longer than any import takes (100 MB of CSV).
 */
const UNLEASED_MS = 3_600_000;

/** Every column but the file, which only the import reads. */
const COLUMNS = [
  'pool_id',
  'job_id',
  'job_name',
  'cloudwatch_logs_role_arn',
  'status',
  'created_at',
  'upload_expires_at',
  'started_at',
  'completed_at',
  'imported_users',
  'skipped_users',
  'failed_users',
  'completion_message',
  'file_bytes',
  'lease_expires_at',
] as const;

type Row = Pick<UserImportJobsTable, (typeof COLUMNS)[number]>;

// PostgreSQL's bigint columns come back as strings: Number() for each.
const dateOf = (value: number | null): Date | undefined => (value === null ? undefined : new Date(Number(value)));

function fromRow(row: Row): StoredUserImportJob {
  return {
    poolId: row.pool_id,
    jobId: row.job_id,
    jobName: row.job_name,
    cloudWatchLogsRoleArn: row.cloudwatch_logs_role_arn,
    status: row.status as ImportJobStatus,
    createdAt: new Date(Number(row.created_at)),
    uploadExpiresAt: new Date(Number(row.upload_expires_at)),
    startedAt: dateOf(row.started_at),
    completedAt: dateOf(row.completed_at),
    importedUsers: Number(row.imported_users),
    skippedUsers: Number(row.skipped_users),
    failedUsers: Number(row.failed_users),
    completionMessage: row.completion_message ?? undefined,
    fileBytes: row.file_bytes === null ? undefined : Number(row.file_bytes),
    leaseExpiresAt: dateOf(row.lease_expires_at ?? (row.started_at === null ? null : Number(row.started_at) + UNLEASED_MS)),
  };
}

function changedColumns(change: ImportJobChange): Partial<UserImportJobsTable> {
  return {
    ...(change.startedAt && { started_at: change.startedAt.getTime() }),
    ...(change.completedAt && { completed_at: change.completedAt.getTime() }),
    ...(change.importedUsers !== undefined && { imported_users: change.importedUsers }),
    ...(change.skippedUsers !== undefined && { skipped_users: change.skippedUsers }),
    ...(change.failedUsers !== undefined && { failed_users: change.failedUsers }),
    ...(change.completionMessage !== undefined && { completion_message: change.completionMessage }),
    ...(change.leaseExpiresAt !== undefined && { lease_expires_at: change.leaseExpiresAt.getTime() }),
  };
}

/**
 * Keyed by pool and job id. Every state change is conditional on the state it leaves, so of two nodes
 * starting (or stopping) one job at once exactly one wins, and the import loop learns of a stop request
 * when its next progress write finds the job no longer InProgress.
 */
export class UserImportJobsRepository {
  constructor(private readonly db: Db) {}

  async insert(job: StoredUserImportJob): Promise<void> {
    await this.db
      .insertInto('user_import_jobs')
      .values({
        pool_id: job.poolId,
        job_id: job.jobId,
        job_name: job.jobName,
        cloudwatch_logs_role_arn: job.cloudWatchLogsRoleArn,
        status: job.status,
        created_at: job.createdAt.getTime(),
        upload_expires_at: job.uploadExpiresAt.getTime(),
        started_at: null,
        completed_at: null,
        imported_users: 0,
        skipped_users: 0,
        failed_users: 0,
        completion_message: null,
        file: null,
        file_bytes: null,
        lease_expires_at: null,
      })
      .execute();
  }

  async get(poolId: string, jobId: string): Promise<StoredUserImportJob | undefined> {
    const row = await this.db.selectFrom('user_import_jobs').select(COLUMNS).where('pool_id', '=', poolId).where('job_id', '=', jobId).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The pool's jobs in job id order, a page at a time. */
  async list(poolId: string, page: { limit: number; afterId?: string }): Promise<StoredUserImportJob[]> {
    let query = this.db.selectFrom('user_import_jobs').select(COLUMNS).where('pool_id', '=', poolId);
    if (page.afterId !== undefined) query = query.where('job_id', '>', page.afterId);
    return (await query.orderBy('job_id').limit(page.limit).execute()).map(fromRow);
  }

  /** Keeps the uploaded file, replacing an earlier one; only while the job is Created (not yet started). */
  async storeFile(poolId: string, jobId: string, file: string, bytes: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_import_jobs')
      .set({ file, file_bytes: bytes })
      .where('pool_id', '=', poolId)
      .where('job_id', '=', jobId)
      .where('status', '=', 'Created')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async readFile(poolId: string, jobId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('user_import_jobs').select('file').where('pool_id', '=', poolId).where('job_id', '=', jobId).executeTakeFirst();
    return row?.file ?? undefined;
  }

  /**
   * Moves the job to `status` with `change` if it is in one of `from`; false when it was not. A job that
   * ends lets go of its file: up to 100 MB that nothing reads again.
   */
  async transition(poolId: string, jobId: string, from: ImportJobStatus[], status: ImportJobStatus, change: ImportJobChange = {}): Promise<boolean> {
    const result = await this.db
      .updateTable('user_import_jobs')
      .set({ status, ...changedColumns(change), ...(ENDED.has(status) && { file: null, lease_expires_at: null }) })
      .where('pool_id', '=', poolId)
      .where('job_id', '=', jobId)
      .where('status', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Ends the pool's jobs (or the one job) whose lease ran out before `now`, their process gone: a Stopping
   * one as Stopped, the others as Failed, each with its message, the counts last written, and as its
   * completion date the last progress write (the lease's start). Conditional on the lease, so a job whose
   * process renewed it meanwhile goes on.
   */
  async endAbandoned(poolId: string, now: Date, leaseMs: number, messages: { Stopped: string; Failed: string }, jobId?: string): Promise<void> {
    const ends: [ImportJobStatus[], 'Stopped' | 'Failed'][] = [
      [['Stopping'], 'Stopped'],
      [['Pending', 'InProgress'], 'Failed'],
    ];
    const leaseEnd = sql<number>`coalesce(lease_expires_at, started_at + ${UNLEASED_MS})`;
    for (const [from, status] of ends) {
      let update = this.db
        .updateTable('user_import_jobs')
        .set({
          status,
          completed_at: sql<number>`coalesce(lease_expires_at - ${leaseMs}, started_at)`,
          completion_message: messages[status],
          file: null,
          lease_expires_at: null,
        })
        .where('pool_id', '=', poolId)
        .where('status', 'in', from)
        .where(leaseEnd, '<', now.getTime());
      if (jobId !== undefined) update = update.where('job_id', '=', jobId);
      await update.execute();
    }
  }
}
