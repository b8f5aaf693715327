/**
 * What both authorizers answer, and what they are asked: a request as any HTTP framework can describe
 * it. Decisions are plain data, so the HTTP adapters (middleware.ts, the gateway) only translate them.
 */

/** A request as the authorizers need it; every adapter builds one of these. */
export interface AuthorizerRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query exactly as received, still percent-encoded (`/bucket/a%20b?x-id=GetObject`). */
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as received (needed to check a signed payload hash); none is taken as empty. */
  body?: Buffer | string | undefined;
  /** The client's address: aws:SourceIp. */
  sourceIp?: string | undefined;
  /** Whether the request came over TLS: aws:SecureTransport. */
  secure?: boolean | undefined;
}

export interface Allowed<P = Record<string, unknown>> {
  allowed: true;
  /** Who: the user's `sub`, or `<role id>:<session name>` for IAM credentials. */
  principalId: string;
  /** What the authorizer learnt, for the application (claims, role, identity id, action, resource). */
  principal: P;
}

/** Why a request is refused: 401 when it carries no usable credentials, 403 when they do not allow it. */
export interface Refused {
  allowed: false;
  status: 401 | 403;
  /** A short machine-readable reason, named as S3 / API Gateway name it (`SignatureDoesNotMatch`, …). */
  code: string;
  message: string;
  /** For 401/403 of bearer tokens: the WWW-Authenticate challenge. */
  challenge?: string;
  /**
   * How S3 names and answers it when it differs: S3 answers malformed signing with 400 and its own code
   * (AuthorizationHeaderMalformed, AuthorizationQueryParametersError, InvalidArgument), where API Gateway
   * answers 403.
   */
  s3?: { status: 400; code: string };
}

export type AuthorizerDecision<P = Record<string, unknown>> = Allowed<P> | Refused;

export function refuse(status: 401 | 403, code: string, message: string, challenge?: string): Refused {
  return challenge === undefined ? { allowed: false, status, code, message } : { allowed: false, status, code, message, challenge };
}

/** An authorizer: a request in, a decision out. Never throws for a bad request, only for its own faults. */
export type Authorizer<P = Record<string, unknown>> = (request: AuthorizerRequest) => Promise<AuthorizerDecision<P>>;

/** The first value of a header. */
export function headerValue(headers: AuthorizerRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
