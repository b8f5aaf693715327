/**
 * The IAM action and resource of an S3 request in path style (`/bucket/key`), as S3 authorizes it:
 * GET/HEAD object → s3:GetObject, PUT → s3:PutObject, DELETE → s3:DeleteObject on
 * `arn:aws:s3:::bucket/key`; GET bucket → s3:ListBucket on `arn:aws:s3:::bucket` (with s3:prefix,
 * s3:delimiter, s3:max-keys); sub-resources (`?acl`, `?tagging`, `?uploadId`, …) as S3 maps them.
 */
import { decodedPath, queryParams, type AccessCheck, type ActionResolver } from './access-check.js';
import type { AuthorizerRequest } from './decision.js';
import { headerValue } from './decision.js';

/** Sub-resource → action, per method, for an object. The first present wins. */
const OBJECT_SUBRESOURCES: Record<string, readonly (readonly [string, string])[]> = {
  GET: [
    ['uploadId', 's3:ListMultipartUploadParts'],
    ['acl', 's3:GetObjectAcl'],
    ['tagging', 's3:GetObjectTagging'],
    ['attributes', 's3:GetObjectAttributes'],
    ['retention', 's3:GetObjectRetention'],
    ['legal-hold', 's3:GetObjectLegalHold'],
    ['torrent', 's3:GetObjectTorrent'],
    ['versionId', 's3:GetObjectVersion'],
  ],
  HEAD: [['versionId', 's3:GetObjectVersion']],
  PUT: [
    ['acl', 's3:PutObjectAcl'],
    ['tagging', 's3:PutObjectTagging'],
    ['retention', 's3:PutObjectRetention'],
    ['legal-hold', 's3:PutObjectLegalHold'],
  ],
  POST: [
    ['uploads', 's3:PutObject'],
    ['uploadId', 's3:PutObject'],
    ['restore', 's3:RestoreObject'],
    ['select', 's3:GetObject'],
  ],
  DELETE: [
    ['uploadId', 's3:AbortMultipartUpload'],
    ['tagging', 's3:DeleteObjectTagging'],
    ['versionId', 's3:DeleteObjectVersion'],
  ],
};
const OBJECT_DEFAULT: Record<string, string | undefined> = { GET: 's3:GetObject', HEAD: 's3:GetObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' };

const BUCKET_SUBRESOURCES: Record<string, readonly (readonly [string, string])[]> = {
  GET: [
    ['uploads', 's3:ListBucketMultipartUploads'],
    ['versions', 's3:ListBucketVersions'],
    ['location', 's3:GetBucketLocation'],
    ['acl', 's3:GetBucketAcl'],
    ['policy', 's3:GetBucketPolicy'],
    ['tagging', 's3:GetBucketTagging'],
    ['cors', 's3:GetBucketCORS'],
    ['versioning', 's3:GetBucketVersioning'],
  ],
  PUT: [
    ['acl', 's3:PutBucketAcl'],
    ['policy', 's3:PutBucketPolicy'],
    ['tagging', 's3:PutBucketTagging'],
    ['cors', 's3:PutBucketCORS'],
    ['versioning', 's3:PutBucketVersioning'],
  ],
  DELETE: [
    ['policy', 's3:DeleteBucketPolicy'],
    ['tagging', 's3:PutBucketTagging'],
    ['cors', 's3:PutBucketCORS'],
  ],
};
const BUCKET_DEFAULT: Record<string, string | undefined> = { GET: 's3:ListBucket', HEAD: 's3:ListBucket', PUT: 's3:CreateBucket', DELETE: 's3:DeleteBucket' };

function pick(table: Record<string, readonly (readonly [string, string])[]>, method: string, params: Map<string, string>): string | undefined {
  for (const [name, action] of table[method] ?? []) if (params.has(name)) return action;
  return undefined;
}

export interface S3ActionOptions {
  /** A path prefix in front of `/bucket/key` to ignore (when the store is mounted below the root). */
  basePath?: string;
}

/** The checks of one S3 request; undefined when it is not an S3 request this mapping knows. */
export function s3AccessChecks(request: AuthorizerRequest, options: S3ActionOptions = {}): AccessCheck[] | undefined {
  let path = decodedPath(request.url);
  const params = queryParams(request.url);
  if (path === undefined || params === undefined) return undefined;
  const base = options.basePath?.replace(/\/+$/, '') ?? '';
  if (base) {
    if (path !== base && !path.startsWith(`${base}/`)) return undefined;
    path = path.slice(base.length) || '/';
  }
  const method = request.method.toUpperCase();
  const slash = path.indexOf('/', 1);
  const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const key = slash < 0 ? '' : path.slice(slash + 1);

  if (bucket === '') return method === 'GET' ? [{ action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }] : undefined;
  const bucketArn = `arn:aws:s3:::${bucket}`;

  if (key === '') {
    if (method === 'POST' && params.has('delete')) {
      // DeleteObjects names its keys in the body; without reading it, only a right to delete anything in the bucket will do.
      return [{ action: 's3:DeleteObject', resource: `${bucketArn}/*` }];
    }
    const action = pick(BUCKET_SUBRESOURCES, method, params) ?? BUCKET_DEFAULT[method];
    if (action === undefined) return undefined;
    if (action === 's3:ListBucket' || action === 's3:ListBucketVersions') {
      const context: Record<string, string> = {};
      for (const name of ['prefix', 'delimiter', 'max-keys']) {
        const value = params.get(name);
        if (value !== undefined) context[`s3:${name}`] = value;
      }
      // ListObjects without a prefix lists from the start: s3:prefix is then the empty string, as S3 sets it.
      if (context['s3:prefix'] === undefined) context['s3:prefix'] = '';
      return [{ action, resource: bucketArn, context }];
    }
    return [{ action, resource: bucketArn }];
  }

  const objectArn = `${bucketArn}/${key}`;
  const action = pick(OBJECT_SUBRESOURCES, method, params) ?? OBJECT_DEFAULT[method];
  if (action === undefined) return undefined;
  const context: Record<string, string> = {};
  for (const header of ['x-amz-acl', 'x-amz-server-side-encryption', 'x-amz-storage-class', 'x-amz-metadata-directive', 'x-amz-copy-source']) {
    const value = headerValue(request.headers, header);
    if (value !== undefined) context[`s3:${header}`] = value;
  }
  const versionId = params.get('versionId');
  if (versionId !== undefined) context['s3:versionid'] = versionId;
  const checks: AccessCheck[] = [{ action, resource: objectArn, context }];

  // CopyObject / UploadPartCopy also read the source object.
  const copySource = headerValue(request.headers, 'x-amz-copy-source');
  if (method === 'PUT' && copySource !== undefined) {
    let source: string;
    try {
      source = decodeURIComponent(copySource.split('?')[0]!).replace(/^\//, '');
    } catch {
      return undefined;
    }
    if (!source.includes('/')) return undefined;
    checks.push({ action: /[?&]versionId=/.test(copySource) ? 's3:GetObjectVersion' : 's3:GetObject', resource: `arn:aws:s3:::${source}` });
  }
  return checks;
}

/** s3AccessChecks as an ActionResolver for createIamAuthorizer. */
export function s3Actions(options: S3ActionOptions = {}): ActionResolver {
  return (request) => s3AccessChecks(request, options);
}
