import type { ServiceContext } from '../../context.js';
import { safeEqual } from '../../security/safe-equal.js';

/**
 * Cognito hands out an S3 pre-signed URL for the job's CSV file. Gatehouse has no S3, so it serves the
 * upload itself (upload-route.ts) at a URL of the same use: a plain PUT of the file, no credentials, valid
 * until `expires`, its path and expiry bound together by a MAC under Gatehouse's secrets key.
 */
export const UPLOAD_PATH = '/_import';

/** Cognito does not document how long its pre-signed URL lives; an hour is ample for an upload that follows creation. */
export const UPLOAD_URL_LIFETIME_MS = 3_600_000;

const signatureOf = (ctx: Pick<ServiceContext, 'secrets'>, poolId: string, jobId: string, expires: number): string =>
  ctx.secrets.mac(`user-import-upload\u0000${poolId}\u0000${jobId}\u0000${expires}`);

export function uploadUrl(ctx: ServiceContext, job: { poolId: string; jobId: string; uploadExpiresAt: Date }): string {
  const expires = Math.floor(job.uploadExpiresAt.getTime() / 1000);
  const signature = signatureOf(ctx, job.poolId, job.jobId, expires);
  return `${ctx.publicUrl()}${UPLOAD_PATH}/${encodeURIComponent(job.poolId)}/${encodeURIComponent(job.jobId)}?expires=${expires}&signature=${signature}`;
}

/** Whether an upload URL's query is one Gatehouse signed for this job, and still valid. */
export function checkUploadSignature(
  ctx: Pick<ServiceContext, 'secrets' | 'now'>,
  poolId: string,
  jobId: string,
  query: { expires?: string; signature?: string },
): 'valid' | 'expired' | 'forged' {
  const expires = Number(query.expires);
  if (!Number.isSafeInteger(expires) || typeof query.signature !== 'string') return 'forged';
  if (!safeEqual(signatureOf(ctx, poolId, jobId, expires), query.signature)) return 'forged';
  return expires * 1000 > ctx.now().getTime() ? 'valid' : 'expired';
}
