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
const OBJECT_SUBRESOURCES: SubresourceTable = {
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

/** The same sub-resources of one version of an object (`&versionId=`), which S3 authorizes as their own actions. */
const OBJECT_VERSION_SUBRESOURCES: SubresourceTable = {
  GET: [
    ['acl', 's3:GetObjectVersionAcl'],
    ['tagging', 's3:GetObjectVersionTagging'],
    ['attributes', 's3:GetObjectVersionAttributes'],
  ],
  PUT: [
    ['acl', 's3:PutObjectVersionAcl'],
    ['tagging', 's3:PutObjectVersionTagging'],
  ],
  DELETE: [['tagging', 's3:DeleteObjectVersionTagging']],
};

const BUCKET_SUBRESOURCES: SubresourceTable = {
  GET: [
    ['uploads', 's3:ListBucketMultipartUploads'],
    ['versions', 's3:ListBucketVersions'],
    ['location', 's3:GetBucketLocation'],
    ['acl', 's3:GetBucketAcl'],
    ['policy', 's3:GetBucketPolicy'],
    ['tagging', 's3:GetBucketTagging'],
    ['cors', 's3:GetBucketCORS'],
    ['versioning', 's3:GetBucketVersioning'],
    ['lifecycle', 's3:GetLifecycleConfiguration'],
    ['encryption', 's3:GetEncryptionConfiguration'],
    ['publicAccessBlock', 's3:GetBucketPublicAccessBlock'],
    ['policyStatus', 's3:GetBucketPolicyStatus'],
    ['website', 's3:GetBucketWebsite'],
    ['replication', 's3:GetReplicationConfiguration'],
    ['logging', 's3:GetBucketLogging'],
    ['notification', 's3:GetBucketNotification'],
    ['object-lock', 's3:GetBucketObjectLockConfiguration'],
    ['ownershipControls', 's3:GetBucketOwnershipControls'],
    ['requestPayment', 's3:GetBucketRequestPayment'],
    ['accelerate', 's3:GetAccelerateConfiguration'],
  ],
  PUT: [
    ['acl', 's3:PutBucketAcl'],
    ['policy', 's3:PutBucketPolicy'],
    ['tagging', 's3:PutBucketTagging'],
    ['cors', 's3:PutBucketCORS'],
    ['versioning', 's3:PutBucketVersioning'],
    ['lifecycle', 's3:PutLifecycleConfiguration'],
    ['encryption', 's3:PutEncryptionConfiguration'],
    ['publicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['website', 's3:PutBucketWebsite'],
    ['replication', 's3:PutReplicationConfiguration'],
    ['logging', 's3:PutBucketLogging'],
    ['notification', 's3:PutBucketNotification'],
    ['object-lock', 's3:PutBucketObjectLockConfiguration'],
    ['ownershipControls', 's3:PutBucketOwnershipControls'],
    ['requestPayment', 's3:PutBucketRequestPayment'],
    ['accelerate', 's3:PutAccelerateConfiguration'],
  ],
  // S3 authorizes most deletions of a configuration as putting it.
  DELETE: [
    ['policy', 's3:DeleteBucketPolicy'],
    ['tagging', 's3:PutBucketTagging'],
    ['cors', 's3:PutBucketCORS'],
    ['lifecycle', 's3:PutLifecycleConfiguration'],
    ['encryption', 's3:PutEncryptionConfiguration'],
    ['publicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['website', 's3:DeleteBucketWebsite'],
    ['replication', 's3:PutReplicationConfiguration'],
    ['ownershipControls', 's3:PutBucketOwnershipControls'],
  ],
};

/**
 * S3's sub-resources: a request naming one that the tables above do not map for its method is refused,
 * not taken for the plain action (`PUT ?lifecycle` is no CreateBucket).
 */
const SUBRESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock', 'replication',
  'requestPayment', 'restore', 'retention', 'select', 'tagging', 'torrent', 'uploads', 'versioning', 'versions', 'website',
]);
const BUCKET_DEFAULT: Record<string, string | undefined> = { GET: 's3:ListBucket', HEAD: 's3:ListBucket', PUT: 's3:CreateBucket', DELETE: 's3:DeleteBucket' };

type SubresourceTable = Record<string, readonly (readonly [string, string])[]>;

/** The action of the first sub-resource of `table` present; null when a sub-resource it does not map is present. */
function pick(table: SubresourceTable, method: string, params: Map<string, string>): string | undefined | null {
  const rows = table[method] ?? [];
  for (const name of params.keys()) if (SUBRESOURCES.has(name) && !rows.some(([known]) => known === name)) return null;
  for (const [name, action] of rows) if (params.has(name)) return action;
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

  // Only `/` itself lists the buckets: `//bucket/key` is no bucket's, and an upstream that merges slashes would serve the object.
  if (bucket === '') return method === 'GET' && path === '/' ? [{ action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }] : undefined;
  const bucketArn = `arn:aws:s3:::${bucket}`;

  if (key === '') {
    if (method === 'POST' && params.has('delete')) {
      // DeleteObjects names its keys in the body; without reading it, only a right to delete anything in the bucket will do.
      return [{ action: 's3:DeleteObject', resource: `${bucketArn}/*` }];
    }
    const picked = pick(BUCKET_SUBRESOURCES, method, params);
    if (picked === null) return undefined;
    const action = picked ?? BUCKET_DEFAULT[method];
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
  const versioned = params.has('versionId') ? pick(OBJECT_VERSION_SUBRESOURCES, method, params) : undefined;
  const picked = typeof versioned === 'string' ? versioned : pick(OBJECT_SUBRESOURCES, method, params);
  if (picked === null) return undefined;
  const action = picked ?? OBJECT_DEFAULT[method];
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
