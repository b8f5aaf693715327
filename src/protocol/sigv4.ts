import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
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
 * Verifies an AWS Signature Version 4 on a request by signing it again, with the same headers and date,
 * using the AWS SDK's own signer, and comparing the two signatures in constant time.
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

  // The signer takes an x-amz-content-sha256 header on trust instead of hashing the body, so a body changed
  // after signing would pass: the header, when sent, must be the hash of the body that arrived.
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex')) {
    throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const signed = new Set(credential.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const [path, query = ''] = request.url.split('?', 2);
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: secret },
    region: credential.region,
    service: credential.service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      hostname: headers.host ?? '',
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    }),
    { signingDate, signableHeaders: signed },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  if (expected.length !== credential.signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(credential.signature))) {
    throw new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return credential;
}
