/**
 * The IAM authorizer's decision, free of HTTP and I/O so it can be tested and benchmarked on its own:
 * a verified caller (signed-request.ts), the role's policies (already loaded), and what the request
 * does (an ActionResolver) in; Allow, or 403 with the reason IAM would give, out.
 */
import { evaluate, type ContextValue, type RequestContext } from './policy/index.js';
import type { AccessCheck, ActionResolver } from './access-check.js';
import { refuse, type AuthorizerDecision, type AuthorizerRequest } from './decision.js';
import type { LoadedRole } from './role-policies.js';
import { verifySignedRequest, type SignatureCheckOptions, type VerifiedCaller } from './signed-request.js';

export interface IamPrincipal {
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  accessKeyId: string;
  /** The Cognito identity id (`cognito-identity.amazonaws.com:sub`) when the credentials came from an identity pool. */
  identityId: string | undefined;
  /** The first (usually only) check: what the request was allowed to do. */
  action: string;
  resource: string;
  checks: readonly AccessCheck[];
  presigned: boolean;
  /** The session's condition keys (identity pool, web identity). */
  sessionContext: Readonly<Record<string, string | string[]>>;
}

/** `arn:aws:iam::<account>:role/<path/>name` → name. */
export function roleNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

let isoCache = { ms: Number.NaN, iso: '' };

function isoTime(ms: number): string {
  if (isoCache.ms !== ms) isoCache = { ms, iso: new Date(ms).toISOString() };
  return isoCache.iso;
}

/**
 * The condition keys of a request made with a session's credentials: the global ones (aws:CurrentTime,
 * aws:SourceIp, aws:SecureTransport, aws:userid, …), the session's own (cognito-identity.amazonaws.com:sub,
 * …) and the action's (`extra`, e.g. s3:prefix). Built as one literal: adding members to a copy one by one
 * puts V8 on a slow path that cost more than the rest of the decision.
 */
export function requestContext(caller: VerifiedCaller, request: AuthorizerRequest, nowMs: number, extra?: RequestContext): Record<string, ContextValue> {
  const { claims } = caller;
  const ip = request.sourceIp;
  return {
    'aws:userid': `${claims.roleId}:${claims.sessionName}`,
    ...claims.context,
    'aws:CurrentTime': isoTime(nowMs),
    'aws:EpochTime': Math.floor(nowMs / 1000),
    'aws:SecureTransport': request.secure === true,
    'aws:SourceIp': ip !== undefined && ip.startsWith('::ffff:') ? ip.slice(7) : ip,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalArn': claims.roleArn,
    'aws:PrincipalAccount': accountOf(claims.roleArn),
    'aws:RequestedRegion': caller.credential.region,
    ...extra,
  };
}

function accountOf(arn: string): string {
  return arn.split(':', 5)[4] ?? '';
}

/** Whether the role's policies allow every check; the caller is already verified. */
export function authorizeCaller(
  caller: VerifiedCaller,
  role: LoadedRole | null,
  resolved: AccessCheck | readonly AccessCheck[] | undefined,
  request: AuthorizerRequest,
  nowMs: number,
): AuthorizerDecision<IamPrincipal> {
  const { claims } = caller;
  const roleName = roleNameOfArn(claims.roleArn);
  const who = () => `arn:aws:sts::${accountOf(claims.roleArn)}:assumed-role/${roleName}/${claims.sessionName}`;
  if (role === null || (role.roleId !== undefined && role.roleId !== claims.roleId)) {
    return refuse(403, 'AccessDenied', `User: ${who()} is not authorized: the role ${roleName} no longer exists.`);
  }
  const checks: readonly AccessCheck[] = resolved === undefined ? [] : Array.isArray(resolved) ? resolved : [resolved as AccessCheck];
  if (checks.length === 0) return refuse(403, 'AccessDenied', 'The request does not map to an action this authorizer knows.');
  for (const check of checks) {
    const context = requestContext(caller, request, nowMs, check.context);
    const { decision } = evaluate(role.policies, { action: check.action, resource: check.resource, context });
    if (decision !== 'Allow') {
      const why = decision === 'Deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${check.action} action`;
      return refuse(403, 'AccessDenied', `User: ${who()} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`);
    }
  }
  return {
    allowed: true,
    principalId: typeof claims.context['aws:userid'] === 'string' ? claims.context['aws:userid'] : `${claims.roleId}:${claims.sessionName}`,
    principal: {
      roleArn: claims.roleArn,
      roleName,
      roleId: claims.roleId,
      sessionName: claims.sessionName,
      accessKeyId: claims.accessKeyId,
      identityId: typeof claims.context['cognito-identity.amazonaws.com:sub'] === 'string' ? claims.context['cognito-identity.amazonaws.com:sub'] : undefined,
      action: checks[0]!.action,
      resource: checks[0]!.resource,
      checks,
      presigned: caller.presigned,
      sessionContext: claims.context,
    },
  };
}

export interface IamDecisionOptions extends SignatureCheckOptions {
  /** The role's policies, already loaded (null: no such role). */
  role: (roleName: string) => LoadedRole | null;
  resolveAction: ActionResolver;
}

/** The whole decision for one request, synchronously: signature, session, then policy. */
export function decideIamRequest(request: AuthorizerRequest, options: IamDecisionOptions): AuthorizerDecision<IamPrincipal> {
  const caller = verifySignedRequest(request, options);
  if ('allowed' in caller) return caller;
  return authorizeCaller(caller, options.role(roleNameOfArn(caller.claims.roleArn)), options.resolveAction(request), request, options.nowMs);
}
