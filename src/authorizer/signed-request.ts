/**
 * Checking a SigV4-signed request made with Gatehouse-issued temporary credentials: Authorization
 * header or presigned query string, clock skew / presigned expiry, the payload hash, the session token
 * (sealed claims, see sts/session-credentials.ts), the access key id it was issued with, and finally the
 * signature itself. Synchronous and free of I/O: the caller passes the clock and the token opener.
 */
import {
  MAX_PRESIGNED_SECONDS,
  SIGV4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalHeaderBlock,
  canonicalQueryString,
  canonicalUri,
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  parsePresigned,
  parseQuery,
  payloadSha256,
  signingKey,
  signsRawPath,
  sigV4Signature,
  type Credential,
} from '../protocol/sigv4.js';
import { safeEqual } from '../security/safe-equal.js';
import { headerValue, refuse, type AuthorizerRequest, type Refused } from './decision.js';
import type { SessionClaims, SessionOpener } from './session-tokens.js';

export interface SignatureCheckOptions {
  openSession: SessionOpener;
  /** The clock, ms since the epoch. */
  nowMs: number;
  /** How far X-Amz-Date may be from the clock (AWS: 300 s). */
  maxClockSkewSeconds: number;
  /** Signing names accepted in the credential scope (e.g. `s3`); any when left out. */
  services?: ReadonlySet<string>;
}

export interface VerifiedCaller {
  claims: SessionClaims;
  credential: Credential;
  presigned: boolean;
  /** Decoded query pairs, for action resolvers that need them. */
  query: [string, string][];
  /** The path as received, without the query. */
  rawPath: string;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

const forbidden = (code: string, message: string): Refused => refuse(403, code, message);

/** Refused with 403 as API Gateway does, and with 400 and `s3Code` on S3 routes, as S3 does. */
const malformed = (code: string, message: string, s3Code = code): Refused => ({ ...forbidden(code, message), s3: { status: 400, code: s3Code } });

/** Whether a query tries to be presigned: S3 then calls its faults AuthorizationQueryParametersError. */
const triesPresigning = (url: string) => /[?&]X-Amz-(Algorithm|Credential|Signature|SignedHeaders|Date|Expires)=/i.test(url);

export function verifySignedRequest(request: AuthorizerRequest, options: SignatureCheckOptions): VerifiedCaller | Refused {
  const url = request.url;
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  let query: [string, string][];
  let credential: Credential;
  let presign: ReturnType<typeof parsePresigned>;
  try {
    query = q < 0 ? [] : parseQuery(url.slice(q + 1));
    presign = parsePresigned(query);
    const authorization = headerValue(request.headers, 'authorization');
    const signedHeader = authorization !== undefined && authorization.startsWith(SIGV4_ALGORITHM);
    if (presign && signedHeader) return malformed('InvalidArgument', 'Only one auth mechanism allowed: the Authorization header or X-Amz-Signature.');
    if (!presign && !signedHeader) return refuse(401, 'MissingAuthenticationToken', 'The request is not signed (AWS Signature Version 4 with Gatehouse credentials).');
    credential = presign ?? parseAuthorization(request.headers)!;
  } catch (error) {
    return malformed('IncompleteSignature', (error as Error).message, triesPresigning(url) ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed');
  }

  // The date: within the allowed skew of the clock, or for a presigned URL, not yet past its expiry.
  const amzDate = presign ? presign.amzDate : headerValue(request.headers, 'x-amz-date');
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || amzDate === undefined) return forbidden('IncompleteSignature', 'The request needs an X-Amz-Date (yyyyMMddTHHmmssZ).');
  const signedAt = signingDate.getTime();
  const skewMs = options.maxClockSkewSeconds * 1000;
  const now = options.nowMs;
  if (presign) {
    if (presign.expiresSeconds < 1 || presign.expiresSeconds > MAX_PRESIGNED_SECONDS) {
      return malformed('AuthorizationQueryParametersError', `X-Amz-Expires must be between 1 and ${MAX_PRESIGNED_SECONDS} seconds.`);
    }
    if (signedAt > now + skewMs) return forbidden('RequestTimeTooSkewed', 'The presigned URL is not valid yet.');
    if (now > signedAt + presign.expiresSeconds * 1000) return forbidden('AccessDenied', 'Request has expired.');
  } else if (signedAt < now - skewMs || signedAt > now + skewMs) {
    return forbidden('RequestTimeTooSkewed', `The difference between the request time (${amzDate}) and the current time (${formatAmzDate(new Date(now))}) is too large.`);
  }
  if (credential.date !== amzDate.slice(0, 8)) return forbidden('SignatureDoesNotMatch', 'The date of the credential scope is not the date of X-Amz-Date.');
  if (!credential.signedHeaders.includes('host')) return forbidden('SignatureDoesNotMatch', 'Host must be a signed header.');
  // As S3 checks: every x-amz-* header must be signed, or anyone holding a signed request could change what
  // it does (x-amz-copy-source turns a PUT into a copy of something else, x-amz-acl makes it public).
  if (signsRawPath(credential.service)) {
    const unsigned = Object.keys(request.headers)
      .map((name) => name.toLowerCase())
      .filter((name) => name.startsWith('x-amz-') && !credential.signedHeaders.includes(name) && !(presign && name === 'x-amz-content-sha256'));
    if (unsigned.length > 0) return forbidden('AccessDenied', `There were headers present in the request which were not signed: ${unsigned.join(', ')}`);
  }
  if (options.services && !options.services.has(credential.service)) {
    return forbidden('SignatureDoesNotMatch', `The credential is scoped to service '${credential.service}', not ${[...options.services].map((s) => `'${s}'`).join(' or ')}.`);
  }

  // The credentials: a Gatehouse session token that opens, issued with this access key id.
  const token = presign ? presign.securityToken : headerValue(request.headers, 'x-amz-security-token');
  if (!token) return forbidden('InvalidAccessKeyId', 'Only Gatehouse temporary credentials (with their session token) are accepted.');
  const claims = options.openSession(token, now);
  if (claims === 'malformed') return forbidden('InvalidToken', 'The provided token is malformed or otherwise invalid.');
  if (claims === 'expired') return forbidden('ExpiredToken', 'The provided token has expired.');
  if (claims.accessKeyId !== credential.accessKeyId) return forbidden('InvalidAccessKeyId', 'The access key id does not match the security token.');

  // The payload hash the signature covers. When the client states it, a real hash must be the body's.
  let claimedHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (presign && claimedHash === undefined) claimedHash = query.find(([name]) => name.toLowerCase() === 'x-amz-content-sha256')?.[1];
  // Only S3 lets a signature leave the body out (UNSIGNED-PAYLOAD, STREAMING-…); elsewhere it covers the body as sent.
  if (claimedHash !== undefined && !HEX_SHA256.test(claimedHash) && !signsRawPath(credential.service)) claimedHash = undefined;
  let payloadHashes: string[];
  if (claimedHash !== undefined) {
    if (HEX_SHA256.test(claimedHash)) {
      if (claimedHash !== payloadSha256(request.body)) return malformed('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    } else if (claimedHash !== UNSIGNED_PAYLOAD && !claimedHash.startsWith('STREAMING-')) {
      return malformed('InvalidArgument', "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a SHA-256 hash in hex.");
    }
    payloadHashes = [claimedHash];
  } else if (presign && signsRawPath(credential.service)) {
    // S3 presigners sign UNSIGNED-PAYLOAD; a generic presigner signs the hash of the (usually empty) body.
    payloadHashes = [UNSIGNED_PAYLOAD, payloadSha256(request.body)];
  } else {
    payloadHashes = [payloadSha256(request.body)];
  }

  const canonicalHeaders = canonicalHeaderBlock(request.headers, credential.signedHeaders);
  if (canonicalHeaders === undefined) return forbidden('SignatureDoesNotMatch', 'A header named in SignedHeaders is not in the request.');
  const key = signingKey(claims.secretAccessKey, credential.date, credential.region, credential.service);
  const parts = {
    method: request.method,
    canonicalUri: canonicalUri(rawPath, !signsRawPath(credential.service)),
    canonicalQuery: canonicalQueryString(query),
    canonicalHeaders,
    signedHeaders: credential.signedHeaders,
    payloadHash: payloadHashes[0]!,
    amzDate,
    scope: `${credential.date}/${credential.region}/${credential.service}/aws4_request`,
  };
  for (const payloadHash of payloadHashes) {
    parts.payloadHash = payloadHash;
    if (safeEqual(sigV4Signature(parts, key), credential.signature)) {
      return { claims, credential, presigned: presign !== undefined, query, rawPath };
    }
  }
  return forbidden(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
}
