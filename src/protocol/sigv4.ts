import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../security/safe-equal.js';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from './errors.js';

export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Credential {
  accessKeyId: string;
  region: string;
  service: string;
  date: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** Reads the SigV4 Authorization header; undefined when the request carries none. */
export function parseAuthorization(headers: SignedRequest['headers']): Credential | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match) {
    throw new IncompleteSignatureException(`Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(' ')[0]}`);
  }
  const [accessKeyId, date, region, service, terminator] = match[1].split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw new IncompleteSignatureException(`Credential should be scoped to a valid region, not '${region ?? ''}'.`);
  }
  return { accessKeyId, date, region, service, signedHeaders: match[2].split(';'), signature: match[3] };
}

/** `20261126T023514Z` → Date. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface VerifyOptions {
  service: string;
  /** Secret for an access key id, or undefined when the key is not Gatehouse's. */
  secretFor: (accessKeyId: string) => string | undefined;
  now: Date;
  maxSkewSeconds: number;
}

/**
 * Verifies an AWS Signature Version 4 on a request by computing it again from the request as it arrived
 * (the building blocks below, which the API authorizer uses too) and comparing the two in constant time.
 * Errors are those every AWS JSON service answers with.
 */
export async function verifySignature(request: SignedRequest, options: VerifyOptions): Promise<Credential> {
  const credential = parseAuthorization(request.headers);
  if (!credential) throw new MissingAuthenticationTokenException('Missing Authentication Token');
  if (credential.service !== options.service) {
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${options.service}'.`);
  }
  // As AWS does: a signature that does not cover Host could be replayed against another endpoint.
  if (!credential.signedHeaders.includes('host')) {
    throw new InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const secret = options.secretFor(credential.accessKeyId);
  if (secret === undefined) throw new UnrecognizedClientException('The security token included in the request is invalid.');

  const dateHeader = request.headers['x-amz-date'];
  const signingDate = parseAmzDate(typeof dateHeader === 'string' ? dateHeader : undefined);
  if (!signingDate) throw new IncompleteSignatureException('Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  const skewMs = options.maxSkewSeconds * 1000;
  const minutes = `${Math.round(options.maxSkewSeconds / 60)} min.`;
  if (signingDate.getTime() < options.now.getTime() - skewMs) {
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate(signingDate)} is now earlier than ${amzDate(new Date(options.now.getTime() - skewMs))} (${amzDate(options.now)} - ${minutes})`,
    );
  }
  if (signingDate.getTime() > options.now.getTime() + skewMs) {
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate(signingDate)} is still later than ${amzDate(new Date(options.now.getTime() + skewMs))} (${amzDate(options.now)} + ${minutes})`,
    );
  }
  if (credential.date !== amzDate(signingDate).slice(0, 8)) {
    throw new InvalidSignatureException(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${amzDate(signingDate).slice(0, 8)}'`);
  }

  // The payload hash signed is that of the body that arrived; an x-amz-content-sha256 header, when sent,
  // must say the same (AWS refuses a mismatch before checking the signature).
  const payloadHash = payloadSha256(request.body);
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const canonicalHeaders = canonicalHeaderBlock(request.headers, credential.signedHeaders);
  const [path, query = ''] = request.url.split('?', 2);
  let canonicalQuery: string | undefined;
  try {
    canonicalQuery = canonicalQueryString(parseQuery(query));
  } catch {
    // A broken escape in the query cannot have been signed as sent.
  }
  const expected =
    canonicalHeaders === undefined || canonicalQuery === undefined
      ? undefined
      : sigV4Signature(
          {
            method: request.method,
            canonicalUri: canonicalUri(path, !signsRawPath(credential.service)),
            canonicalQuery,
            canonicalHeaders,
            signedHeaders: credential.signedHeaders,
            payloadHash,
            amzDate: dateHeader as string,
            scope: `${credential.date}/${credential.region}/${credential.service}/aws4_request`,
          },
          signingKey(secret, credential.date, credential.region, credential.service),
        );
  if (expected === undefined || !safeEqual(expected, credential.signature)) {
    throw new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return credential;
}

// ---------------------------------------------------------------------------------------------------
// Building blocks of a signature: synchronous, on node:crypto, and cheap enough to run on every request
// (verifySignature above, and the API authorizer in src/authorizer/signed-request.ts). They follow
// @smithy/signature-v4 step by step, so whatever an AWS SDK signs (header or presigned) verifies; the
// tests sign with the SDK itself.
// ---------------------------------------------------------------------------------------------------

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of no bytes: the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The hex SHA-256 of a request body, as SigV4 signs it. */
export function payloadSha256(body: Uint8Array | string | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_PAYLOAD_SHA256;
  return createHash('sha256').update(body).digest('hex');
}
/** The longest life of a presigned URL (X-Amz-Expires), as AWS allows: a week. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

export { amzDate as formatAmzDate, parseAmzDate };

/** A presigned request's X-Amz-* query parameters. */
export interface PresignedCredential extends Credential {
  amzDate: string;
  expiresSeconds: number;
  securityToken?: string;
}

/**
 * A raw query string as [name, value] pairs, percent-decoded (a signer signs the decoded values and
 * encodes them itself). `+` stays a plus: AWS signers encode a space as %20. Throws URIError on a bad
 * escape.
 */
export function parseQuery(raw: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (raw === '') return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([name.includes('%') ? decodeURIComponent(name) : name, value.includes('%') ? decodeURIComponent(value) : value]);
  }
  return pairs;
}

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

/**
 * The SigV4 parameters of a presigned URL; undefined when the query carries none (no X-Amz-Signature).
 * Throws IncompleteSignatureException when some are there but not all, or malformed.
 */
export function parsePresigned(query: readonly (readonly [string, string])[]): PresignedCredential | undefined {
  let algorithm: string | undefined, credential: string | undefined, date: string | undefined, expires: string | undefined;
  let signedHeaders: string | undefined, signature: string | undefined, securityToken: string | undefined;
  for (const [name, value] of query) {
    if (name.length < 10 || (name.charCodeAt(0) | 32) !== 120 /* x */) continue;
    switch (name.toLowerCase()) {
      case 'x-amz-algorithm': algorithm = value; break;
      case 'x-amz-credential': credential = value; break;
      case 'x-amz-date': date = value; break;
      case 'x-amz-expires': expires = value; break;
      case 'x-amz-signedheaders': signedHeaders = value; break;
      case 'x-amz-signature': signature = value; break;
      case 'x-amz-security-token': securityToken = value; break;
    }
  }
  if (signature === undefined && algorithm === undefined && credential === undefined) return undefined;
  if (algorithm !== SIGV4_ALGORITHM) throw new IncompleteSignatureException(`X-Amz-Algorithm must be ${SIGV4_ALGORITHM}.`);
  const scope = credential === undefined ? null : CREDENTIAL.exec(credential);
  if (!scope) throw new IncompleteSignatureException('X-Amz-Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request.');
  if (!signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature) || !date || !expires || !/^\d{1,7}$/.test(expires)) {
    throw new IncompleteSignatureException(
      'A presigned URL needs X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.',
    );
  }
  return {
    accessKeyId: scope[1],
    date: scope[2],
    region: scope[3],
    service: scope[4],
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate: date,
    expiresSeconds: Number(expires),
    ...(securityToken !== undefined && { securityToken }),
  };
}

/** RFC 3986 encoding as AWS signers do it: everything but A-Z a-z 0-9 - _ . ~ is %XX. */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a raw (still percent-encoded) request path. S3 signs the path as sent; every
 * other service normalises the segments and encodes the path once more.
 */
export function canonicalUri(rawPath: string, escapePath: boolean): string {
  if (!escapePath) return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Whether a service signs its path as sent (S3 and its variants) rather than normalised and re-encoded. */
export function signsRawPath(service: string): boolean {
  return service === 's3' || service.startsWith('s3-') || service === 's3express';
}

/** The canonical query string: pairs encoded, sorted by name then value, without X-Amz-Signature. */
export function canonicalQueryString(query: readonly (readonly [string, string])[]): string {
  if (query.length === 0) return '';
  const encoded: string[] = [];
  for (const [name, value] of query) {
    if (name.length === 15 && name.toLowerCase() === 'x-amz-signature') continue;
    encoded.push(`${escapeUri(name)}=${escapeUri(value)}`);
  }
  if (encoded.length === 1) return encoded[0]!;
  // Sorting "name=value" strings orders by name first only when no name is a prefix of another that
  // continues with a character below '=': compare name, then value, as the SDK does.
  return encoded
    .map((pair) => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map((entry) => entry[1])
    .join('&');
}

/**
 * The canonical header block (`name:value\n` per signed header, values with whitespace collapsed);
 * undefined when a header named in SignedHeaders is not on the request.
 */
export function canonicalHeaderBlock(headers: SignedRequest['headers'], signedHeaders: readonly string[]): string | undefined {
  let block = '';
  for (const name of signedHeaders) {
    const raw = headers[name];
    if (raw === undefined) return undefined;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    block += `${name}:${/[\r\n\t]|\s\s|^\s|\s$/.test(value) ? value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : value}\n`;
  }
  return block;
}

const SIGNING_KEY_CACHE_SIZE = 1024;
const signingKeys = new Map<string, Buffer>();

/** The derived signing key of a secret for one day, region and service (four HMACs), cached. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}/${region}/${service}/${secretAccessKey}`;
  let key = signingKeys.get(cacheKey);
  if (key === undefined) {
    key = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
    key = createHmac('sha256', key).update(region).digest();
    key = createHmac('sha256', key).update(service).digest();
    key = createHmac('sha256', key).update('aws4_request').digest();
    if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.delete(signingKeys.keys().next().value!);
    signingKeys.set(cacheKey, key);
  }
  return key;
}

export interface CanonicalParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  /** From canonicalHeaderBlock. */
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
  /** X-Amz-Date, `20261126T023514Z`. */
  amzDate: string;
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string;
}

/** The hex SigV4 signature of a request in canonical form, under a signing key. */
export function sigV4Signature(parts: CanonicalParts, key: Buffer): string {
  const canonicalRequest = `${parts.method}\n${parts.canonicalUri}\n${parts.canonicalQuery}\n${parts.canonicalHeaders}\n${parts.signedHeaders.join(';')}\n${parts.payloadHash}`;
  const stringToSign = `${SIGV4_ALGORITHM}\n${parts.amzDate}\n${parts.scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
