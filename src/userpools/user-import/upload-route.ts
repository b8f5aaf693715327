import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServiceContext } from '../../context.js';
import { escapeXml } from '../../protocol/xml.js';
import { checkUploadSignature, UPLOAD_PATH } from './upload-url.js';

/** Cognito's limit on a user import file (developer guide, "Importing users from a CSV file"). */
const MAX_FILE_BYTES = 100 * 1024 * 1024;

type UploadRequest = { Params: { poolId: string; jobId: string }; Querystring: { expires?: string; signature?: string } };

/** An error as S3 answers a refused pre-signed request, so tools that read S3's errors read these. */
function s3Error(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${reply.request.id}</RequestId></Error>`;
  return reply.code(status).header('content-type', 'application/xml').send(body);
}

/**
 * PUT <PreSignedUrl>: the job's CSV file, as Cognito's guide uploads it to S3 (`curl -T users.csv -H
 * "x-amz-server-side-encryption:aws:kms" <PreSignedUrl>`). Its own scope, outside the JSON API: any content
 * type is taken as the file's bytes, up to Cognito's 100 MB, and the signature is checked before the body
 * is read, so a forged URL costs no upload.
 */
export async function registerImportUploadRoute(app: FastifyInstance, services: ServiceContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
      if (error.statusCode === 413) return s3Error(reply, 413, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${MAX_FILE_BYTES} bytes.`);
      throw error;
    });
    scope.put<UploadRequest>(
      `${UPLOAD_PATH}/:poolId/:jobId`,
      {
        bodyLimit: MAX_FILE_BYTES,
        onRequest: async (request, reply) => {
          const { poolId, jobId } = request.params;
          const check = checkUploadSignature(services, poolId, jobId, request.query);
          if (check === 'expired') return s3Error(reply, 403, 'AccessDenied', 'Request has expired');
          if (check === 'forged') return s3Error(reply, 403, 'SignatureDoesNotMatch', 'The request signature does not match the one Gatehouse gave for this import job.');
        },
      },
      async (request, reply) => {
        const { poolId, jobId } = request.params;
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (!(await services.repos.userImportJobs.storeFile(poolId, jobId, body.toString('utf8'), body.length))) {
          const job = await services.repos.userImportJobs.get(poolId, jobId);
          if (!job) return s3Error(reply, 404, 'NoSuchKey', `Import job ${jobId} does not exist.`);
          return s3Error(reply, 409, 'InvalidRequest', `Import job ${jobId} takes no new file: its status is ${job.status}.`);
        }
        return reply.code(200).header('etag', `"${createHash('md5').update(body).digest('hex')}"`).send();
      },
    );
  });
}
