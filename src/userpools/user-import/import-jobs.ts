import type { UserImportJobType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredUserImportJob } from '../../storage/user-import-jobs-repository.js';
import { uploadUrl } from './upload-url.js';

const importJobNotFound = (jobId: string): ResourceNotFoundException => new ResourceNotFoundException(`Import job ${jobId} does not exist.`);

export async function requireImportJob(ctx: ServiceContext, poolId: string, jobId: string): Promise<StoredUserImportJob> {
  const job = await ctx.repos.userImportJobs.get(poolId, jobId);
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
