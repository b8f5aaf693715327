import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse } from 'csv-parse';
import type { ServiceContext } from '../../context.js';
import { ServiceError } from '../../protocol/errors.js';
import type { ImportJobStatus } from '../../storage/user-import-jobs-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { createUser } from '../users/users.js';
import { headerProblem, rowUser } from './csv-columns.js';

type Counts = { importedUsers: number; skippedUsers: number; failedUsers: number };

/** How often a running job writes its counts, and so how soon it sees a stop request. */
const PROGRESS_MS = 250;

/**
 * How long each progress write vouches for the job. Far longer than the writes' interval, so a busy
 * process keeps its jobs; after it, a job whose process is gone is ended when next read (import-jobs.ts).
 */
export const LEASE_MS = 30_000;

export const STOPPED_MESSAGE = 'The import job was stopped.';

export const leaseFrom = (now: Date): Date => new Date(now.getTime() + LEASE_MS);

/**
 * Runs a started (Pending) job after the StartUserImportJob answer, in this process; everything it does
 * is written to the job's row, so DescribeUserImportJob on any node sees its progress.
 */
export function runImportInBackground(ctx: ServiceContext, pool: StoredUserPool, jobId: string): void {
  const failed = async (error: unknown) => {
    ctx.log.error({ err: error, poolId: pool.id, jobId }, 'user import: the job could not be finished');
    // Not left InProgress for ever: the job ends, its counts as they were last written.
    const message = "The import job stopped on an internal error; Gatehouse's log has its details.";
    await ctx.repos.userImportJobs.transition(pool.id, jobId, ['Pending', 'InProgress', 'Stopping'], 'Failed', { completedAt: ctx.now(), completionMessage: message });
  };
  setImmediate(() => {
    runImport(ctx, pool, jobId)
      .catch(failed)
      .catch((error: unknown) => ctx.log.error({ err: error, poolId: pool.id, jobId }, 'user import: the failed job could not be marked Failed'));
  });
}

async function runImport(ctx: ServiceContext, pool: StoredUserPool, jobId: string): Promise<void> {
  const jobs = ctx.repos.userImportJobs;
  const counts: Counts = { importedUsers: 0, skippedUsers: 0, failedUsers: 0 };
  /** A stop request came first: the job ends as Stopped, with the counts so far. */
  const stopped = () => jobs.transition(pool.id, jobId, ['Stopping'], 'Stopped', { ...counts, completedAt: ctx.now(), completionMessage: STOPPED_MESSAGE });
  /** Ends the job as `status`, or as Stopped when a stop request came first. */
  const settle = async (status: ImportJobStatus, completionMessage: string) => {
    if (!(await jobs.transition(pool.id, jobId, ['InProgress'], status, { ...counts, completedAt: ctx.now(), completionMessage }))) await stopped();
  };
  let countsWrittenAt = Date.now();
  /**
   * Writes the counts, at most every PROGRESS_MS (one write per user doubled an import's writes); false once
   * the job is no longer InProgress (a stop request, seen within PROGRESS_MS), which ends it as Stopped.
   */
  const carryOn = async () => {
    if (Date.now() - countsWrittenAt < PROGRESS_MS) return true;
    countsWrittenAt = Date.now();
    if (await jobs.transition(pool.id, jobId, ['InProgress'], 'InProgress', { ...counts, leaseExpiresAt: leaseFrom(ctx.now()) })) return true;
    await stopped();
    return false;
  };

  if (!(await jobs.transition(pool.id, jobId, ['Pending'], 'InProgress', { leaseExpiresAt: leaseFrom(ctx.now()) }))) {
    await stopped();
    return;
  }
  const file = (await jobs.readFile(pool.id, jobId)) ?? '';
  let header: string[] | undefined;
  try {
    const records = Readable.from([file]).pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }));
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((column) => column.trim());
        const problem = headerProblem(pool, header);
        if (problem) return await settle('Failed', problem);
        continue;
      }
      await importRow(ctx, pool, jobId, header, record, info.lines, counts);
      if (!(await carryOn())) return;
      // On SQLite every query resolves without waiting for I/O: without a turn of the event loop here, a
      // large file would hold off every request until the last user (seen: 5,000 users, 4 s of no answers).
      await nextTurn();
    }
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_'))) throw error;
    return await settle('Failed', `The CSV file cannot be read: ${error.message}`);
  }
  if (!header) return await settle('Failed', 'The CSV file is empty: it needs the header of GetCSVHeader and a row per user.');
  await settle('Succeeded', counts.failedUsers === 0 ? 'Import Job Completed Successfully.' : `Import Job Completed. ${counts.failedUsers} users could not be imported; Gatehouse's log names each row and why.`);
}

/**
 * One user, created as Cognito creates imported users: RESET_REQUIRED with no password, so their first
 * sign-in goes through ForgotPassword. createUser checks it all before writing, so a refused row leaves
 * nothing behind; its reason goes to the log (where Cognito writes CloudWatch Logs) and the job goes on.
 */
async function importRow(ctx: ServiceContext, pool: StoredUserPool, jobId: string, header: string[], row: string[], line: number, counts: Counts): Promise<void> {
  try {
    const { username, attributes } = rowUser(pool, header, row);
    await createUser(ctx, pool, { name: username, attributes, status: 'RESET_REQUIRED', writer: { kind: 'admin' } });
    counts.importedUsers++;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    counts.failedUsers++;
    ctx.log.warn({ poolId: pool.id, jobId, line, errorType: error.type, reason: error.message }, 'user import: a row was not imported');
  }
}
