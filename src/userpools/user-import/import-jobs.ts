import type { UserImportJobType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { RUNNING, type StoredUserImportJob } from '../../storage/user-import-jobs-repository.js';
import { LEASE_MS, STOPPED_MESSAGE } from './run-import.js';
import { uploadUrl } from './upload-url.js';

const importJobNotFound = (jobId: string): ResourceNotFoundException => new ResourceNotFoundException(`Import job ${jobId} does not exist.`);

/** Whether the job should be running but its process stopped renewing its lease (see endAbandoned). */
const abandoned = (job: StoredUserImportJob, now: Date): boolean => RUNNING.includes(job.status) && job.leaseExpiresAt !== undefined && job.leaseExpiresAt < now;

const ABANDONED_MESSAGES = {
  Stopped: STOPPED_MESSAGE,
  Failed:
    'The import job was interrupted: the Gatehouse process running it stopped before it finished. The users counted were imported, and possibly ' +
    'some rows just after them; import the remaining rows with a new job.',
};

/**
 * Ends the listed jobs that were left running by a process that is gone (a crash or a restart mid-import),
 * so that no job shows InProgress for ever; true when there was one, and the jobs should be read again.
 */
export async function endAbandonedJobs(ctx: ServiceContext, poolId: string, jobs: StoredUserImportJob[], jobId?: string): Promise<boolean> {
  const now = ctx.now();
  if (!jobs.some((job) => abandoned(job, now))) return false;
  await ctx.repos.userImportJobs.endAbandoned(poolId, now, LEASE_MS, ABANDONED_MESSAGES, jobId);
  return true;
}

export async function requireImportJob(ctx: ServiceContext, poolId: string, jobId: string): Promise<StoredUserImportJob> {
  const read = () => ctx.repos.userImportJobs.get(poolId, jobId);
  let job = await read();
  if (job && (await endAbandonedJobs(ctx, poolId, [job], jobId))) job = await read();
  if (!job) throw importJobNotFound(jobId);
  return job;
}

export function toUserImportJobType(ctx: ServiceContext, job: StoredUserImportJob): UserImportJobType {
  return {
    JobName: job.jobName,
    JobId: job.jobId,
    UserPoolId: job.poolId,
    PreSignedUrl: uploadUrl(ctx, job),
    CreationDate: job.createdAt,
    Status: job.status,
    CloudWatchLogsRoleArn: job.cloudWatchLogsRoleArn,
    ImportedUsers: job.importedUsers,
    SkippedUsers: job.skippedUsers,
    FailedUsers: job.failedUsers,
    ...(job.startedAt && { StartDate: job.startedAt }),
    ...(job.completedAt && { CompletionDate: job.completedAt }),
    ...(job.completionMessage && { CompletionMessage: job.completionMessage }),
  };
}
