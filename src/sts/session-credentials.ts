import type { ServiceContext } from '../context.js';
import { randomString } from '../userpools/ids.js';

/** What a session token carries: everything needed to check a request signed with the credentials. */
export interface SessionClaims {
  accessKeyId: string;
  secretAccessKey: string;
  /** arn:aws:iam::<account>:role/<name> */
  roleArn: string;
  roleId: string;
  sessionName: string;
  /** ms since the epoch */
  expiresAt: number;
  /** Values for policy conditions and variables (cognito-identity.amazonaws.com:sub, :aud, :amr, …). */
  context: Record<string, string | string[]>;
}

export interface AwsCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/** The session token's format: GHS2, the sealed claims in one base64url text. */
const TOKEN_PREFIX = 'GHS2';
/**
 * The first format, the sealed text encoded again (a quarter longer). Still opened, so that credentials
 * issued before an upgrade keep working until they expire (12 hours at most).
 */
const FIRST_TOKEN_PREFIX = 'GHS1';
const SEAL_CONTEXT = 'sts-session-token';
const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * AWS-format temporary credentials. The session token is self-contained: the claims, sealed with
 * AES-256-GCM under a key derived from the secrets key, so any Gatehouse node can check a request signed
 * with these credentials without a lookup, and a changed or forged token does not open.
 */
export function issueCredentials(ctx: ServiceContext, claims: Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey'>): AwsCredentials {
  // ASIA…: the prefix AWS gives temporary access keys, which some tools look for.
  const accessKeyId = `ASIA${randomString(ctx.randomBytes, 16, UPPER_ALPHANUMERIC)}`;
  // 40 characters of A-Z, a-z, 0-9, + and /, as AWS's secret keys: base64 of 30 random bytes is exactly
  // that, each character 6 uniform bits.
  const secretAccessKey = ctx.randomBytes(30).toString('base64');
  // Written out rather than spread: the claims are stringified on every GetCredentialsForIdentity.
  const full: SessionClaims = {
    accessKeyId,
    secretAccessKey,
    roleArn: claims.roleArn,
    roleId: claims.roleId,
    sessionName: claims.sessionName,
    expiresAt: claims.expiresAt,
    context: claims.context,
  };
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: `${TOKEN_PREFIX}${ctx.secrets.encryptCompact(JSON.stringify(full), SEAL_CONTEXT)}`,
    Expiration: new Date(claims.expiresAt),
  };
}

export type SessionProblem = 'malformed' | 'expired';

/** Opens a session token: its claims, or why it cannot be trusted. */
export function openSessionToken(ctx: ServiceContext, token: string): SessionClaims | SessionProblem {
  let claims: SessionClaims;
  try {
    const sealed = token.slice(TOKEN_PREFIX.length);
    if (token.startsWith(TOKEN_PREFIX)) claims = JSON.parse(ctx.secrets.decryptCompact(sealed, SEAL_CONTEXT, { remember: true })) as SessionClaims;
    else if (token.startsWith(FIRST_TOKEN_PREFIX)) claims = JSON.parse(ctx.secrets.decrypt(Buffer.from(sealed, 'base64url').toString(), SEAL_CONTEXT, { remember: true })) as SessionClaims;
    else return 'malformed';
  } catch {
    return 'malformed';
  }
  if (claims.expiresAt <= ctx.now().getTime()) return 'expired';
  return claims;
}
