import type {
  CreateUserImportJobRequest,
  CreateUserImportJobResponse,
  DescribeUserImportJobRequest,
  DescribeUserImportJobResponse,
  GetCSVHeaderRequest,
  GetCSVHeaderResponse,
  ListUserImportJobsRequest,
  ListUserImportJobsResponse,
  StartUserImportJobRequest,
  StartUserImportJobResponse,
  StopUserImportJobRequest,
  StopUserImportJobResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import type { StoredUserImportJob } from '../../../storage/user-import-jobs-repository.js';
import { PreconditionNotMetException } from '../../errors.js';
import { newImportJobId } from '../../ids.js';
import { requirePool } from '../../pools.js';
import { csvHeader } from '../csv-columns.js';
import { endAbandonedJobs, requireImportJob, toUserImportJobType } from '../import-jobs.js';
import { leaseFrom, runImportInBackground } from '../run-import.js';
import { UPLOAD_URL_LIFETIME_MS } from '../upload-url.js';

export async function getCSVHeader(ctx: RequestContext, input: GetCSVHeaderRequest): Promise<GetCSVHeaderResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { UserPoolId: pool.id, CSVHeader: csvHeader(pool) };
}

/** A job in Created, with the URL its CSV file is to be PUT to. */
export async function createUserImportJob(ctx: RequestContext, input: CreateUserImportJobRequest): Promise<CreateUserImportJobResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (input.PasswordHashingAlgorithm) {
    throw new InvalidParameterException('PasswordHashingAlgorithm is not supported: Gatehouse imports users without passwords only, who set theirs with ForgotPassword.');
  }
  const now = ctx.now();
  const job: StoredUserImportJob = {
    poolId: pool.id,
    jobId: newImportJobId(ctx.randomBytes),
    jobName: input.JobName!,
    cloudWatchLogsRoleArn: input.CloudWatchLogsRoleArn!,
    status: 'Created',
    createdAt: now,
    uploadExpiresAt: new Date(now.getTime() + UPLOAD_URL_LIFETIME_MS),
    importedUsers: 0,
    skippedUsers: 0,
    failedUsers: 0,
  };
  await ctx.repos.userImportJobs.insert(job);
  return { UserImportJob: toUserImportJobType(ctx, job) };
}

export async function describeUserImportJob(ctx: RequestContext, input: DescribeUserImportJobRequest): Promise<DescribeUserImportJobResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { UserImportJob: toUserImportJobType(ctx, await requireImportJob(ctx, pool.id, input.JobId!)) };
}

export async function listUserImportJobs(ctx: RequestContext, input: ListUserImportJobsRequest): Promise<ListUserImportJobsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const limit = input.MaxResults!;
  const listing = `ListUserImportJobs:${pool.id}`;
  const read = () => ctx.repos.userImportJobs.list(pool.id, { limit: limit + 1, afterId: decodeNextToken(listing, input.PaginationToken, ctx.requestId) });
  let rows = await read();
  if (await endAbandonedJobs(ctx, pool.id, rows)) rows = await read();
  const { items, nextToken } = page(rows, limit, (j) => j.jobId, listing);
  return { UserImportJobs: items.map((j) => toUserImportJobType(ctx, j)), ...(nextToken && { PaginationToken: nextToken }) };
}

/**
 * Created → Pending, once its file is uploaded; the import then runs after this answer (run-import.ts).
 * The state change is conditional, so a job started twice at once, on two nodes, runs once.
 */
export async function startUserImportJob(ctx: RequestContext, input: StartUserImportJobRequest): Promise<StartUserImportJobResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const job = await requireImportJob(ctx, pool.id, input.JobId!);
  if (job.status !== 'Created') throw cannotBe('started', job);
  if (job.fileBytes === undefined) {
    throw new PreconditionNotMetException(`Import job ${job.jobId} has no CSV file yet: upload it with a PUT to the job's PreSignedUrl first.`);
  }
  const startedAt = ctx.now();
  if (!(await ctx.repos.userImportJobs.transition(pool.id, job.jobId, ['Created'], 'Pending', { startedAt, leaseExpiresAt: leaseFrom(startedAt) }))) throw cannotBe('started', await requireImportJob(ctx, pool.id, job.jobId));
  runImportInBackground(ctx, pool, job.jobId);
  return { UserImportJob: toUserImportJobType(ctx, { ...job, status: 'Pending', startedAt }) };
}

/** Pending or InProgress → Stopping; the import stops between two users and ends the job as Stopped. */
export async function stopUserImportJob(ctx: RequestContext, input: StopUserImportJobRequest): Promise<StopUserImportJobResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const job = await requireImportJob(ctx, pool.id, input.JobId!);
  if (!(await ctx.repos.userImportJobs.transition(pool.id, job.jobId, ['Pending', 'InProgress'], 'Stopping'))) throw cannotBe('stopped', await requireImportJob(ctx, pool.id, job.jobId));
  return { UserImportJob: toUserImportJobType(ctx, await requireImportJob(ctx, pool.id, job.jobId)) };
}

const cannotBe = (what: string, job: StoredUserImportJob) => new PreconditionNotMetException(`Import job ${job.jobId} cannot be ${what}: its status is ${job.status}.`);
