import type { Credentials } from '@aws-sdk/client-cognito-identity';
import type { Config } from '../config.js';
import type { ServiceContext } from '../context.js';
import { ExternalServiceException, InvalidIdentityPoolConfigurationException } from './errors.js';

export type ExternalStsConfig = NonNullable<Config['identityPools']['externalSts']>;

/** Long enough for a distant STS, short enough that a client's own retry (the SDK's: 3 s at most) is worth it. */
const TIMEOUT_MS = 5000;

/** STS errors that say the role side is wrong: the role's trust, its ARN, its policies, its region. */
const ROLE_ERRORS = new Set(['AccessDenied', 'ValidationError', 'MalformedPolicyDocument', 'PackedPolicyTooLarge', 'RegionDisabledException']);
/** STS errors that say it does not trust Gatehouse's identity tokens: its OIDC provider is missing or wrong. */
const TOKEN_ERRORS = new Set(['InvalidIdentityToken', 'IDPRejectedClaim', 'ExpiredTokenException']);

/** `endpoint`, or AWS's regional STS of `region`. */
export function externalStsUrl(sts: ExternalStsConfig): string {
  return sts.endpoint ?? `https://sts.${sts.region}.amazonaws.com/`;
}

export interface ExternalAssumeRole {
  roleArn: string;
  sessionName: string;
  /** The identity's OpenID token (identityOpenIdToken), the web identity STS checks. */
  webIdentityToken: string;
}

/**
 * AssumeRoleWithWebIdentity at another STS (the query API of STS 2011-06-15, which AWS and S3-compatible
 * stores such as MinIO speak). It is an unsigned operation — the token is the credential — so one form POST
 * does it, and the AWS SDK (21 MB more memory once loaded, a Node 22 floor ahead) is not needed at run time.
 * Its errors become Cognito's: a role or trust problem is the identity pool's configuration, anything else
 * the external service's.
 */
export async function assumeRoleAtExternalSts(ctx: ServiceContext, sts: ExternalStsConfig, request: ExternalAssumeRole): Promise<Credentials> {
  const url = externalStsUrl(sts);
  let status: number;
  let body: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
      body: new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        WebIdentityToken: request.webIdentityToken,
      }),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    body = await response.text();
  } catch (error) {
    ctx.log.warn({ err: error, sts: url }, 'the external STS did not answer');
    throw new ExternalServiceException('The external STS did not answer. Try again later.');
  }
  if (status === 200) {
    const credentials = credentialsOf(body);
    if (credentials) return credentials;
    ctx.log.warn({ sts: url, status }, 'the external STS answered without credentials');
    throw new ExternalServiceException('The external STS answered without credentials.');
  }
  const code = textOf(body, 'Code') ?? `HTTP ${status}`;
  const message = textOf(body, 'Message') ?? '';
  ctx.log.warn({ sts: url, status, code, message, roleArn: request.roleArn }, 'the external STS refused AssumeRoleWithWebIdentity');
  if (ROLE_ERRORS.has(code)) {
    // Cognito's words when STS refuses the pool's role, with STS's reason for whoever configures it.
    throw new InvalidIdentityPoolConfigurationException(`Invalid identity pool configuration. Check assigned IAM roles for this pool. (STS ${code}: ${message})`);
  }
  if (TOKEN_ERRORS.has(code)) {
    throw new InvalidIdentityPoolConfigurationException(
      `Invalid identity pool configuration. The external STS does not accept this identity pool's OpenID tokens; it must trust their issuer as an OpenID Connect provider with the pool's id as an audience. (STS ${code}: ${message})`,
    );
  }
  throw new ExternalServiceException(`The external STS could not issue credentials. (STS ${code}${message ? `: ${message}` : ''})`);
}

function credentialsOf(xml: string): Credentials | undefined {
  const block = /<(?:\w+:)?Credentials>([\s\S]*?)<\/(?:\w+:)?Credentials>/.exec(xml)?.[1];
  if (block === undefined) return undefined;
  const AccessKeyId = textOf(block, 'AccessKeyId');
  const SecretKey = textOf(block, 'SecretAccessKey');
  const SessionToken = textOf(block, 'SessionToken');
  const expiration = textOf(block, 'Expiration');
  const Expiration = expiration === undefined ? undefined : new Date(expiration);
  if (!AccessKeyId || !SecretKey || !SessionToken || !Expiration || Number.isNaN(Expiration.getTime())) return undefined;
  return { AccessKeyId, SecretKey, SessionToken, Expiration };
}

/**
 * The text of the first `<name>` element. The query protocol's answers are flat, leaf-only where this reads
 * them, so a pattern is enough; entities are decoded.
 */
function textOf(xml: string, name: string): string | undefined {
  const text = new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`).exec(xml)?.[1];
  return text === undefined ? undefined : decodeEntities(text.trim());
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const codePoint = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      // An out-of-range reference stays as written rather than throwing (String.fromCodePoint's RangeError).
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name.toLowerCase()] ?? entity;
  });
}
