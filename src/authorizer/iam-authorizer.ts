/**
 * The IAM authorizer (API Gateway's AWS_IAM authorization): a request signed with SigV4 using
 * Gatehouse-issued temporary credentials, checked (signed-request.ts) and then evaluated against the
 * inline policies of the credentials' role for the action and resource the request maps to.
 */
import { SecretBox } from '../security/secret-box.js';
import type { ActionResolver } from './access-check.js';
import type { AuthorizerDecision, AuthorizerRequest } from './decision.js';
import { authorizeCaller, roleNameOfArn, type IamPrincipal } from './iam-decision.js';
import { RolePolicyCache, type RolePolicySource } from './role-policies.js';
import { sessionOpener, type SessionOpener } from './session-tokens.js';
import { verifySignedRequest } from './signed-request.js';

export interface IamAuthorizerOptions {
  /** The Gatehouse secrets key (config `secretsKey`), which seals session tokens; or its SecretBox. */
  secretsKey?: string;
  secrets?: SecretBox;
  /** Where the roles' inline policies are: Gatehouse's roles repository, or a function of the role name. */
  roles: RolePolicySource;
  /** How long a role's policies are cached (default 30 s). */
  policyCacheSeconds?: number;
  /** How far X-Amz-Date may be from the clock (default 300 s, as AWS). */
  maxClockSkewSeconds?: number;
  /** Signing names accepted in the credential scope (e.g. ['s3']); any when left out. */
  services?: readonly string[];
  /** What a request does: e.g. s3Actions(), or templateActions({ action, resource }). */
  resolveAction: ActionResolver;
  /** The clock (tests inject one). */
  now?: () => Date;
}

export interface IamAuthorizer {
  (request: AuthorizerRequest): Promise<AuthorizerDecision<IamPrincipal>>;
  /** The policy cache, e.g. to drop a role after changing it. */
  readonly roles: RolePolicyCache;
}

/** What IAM authorizers may share: the opened session tokens and the roles' policies, each cached once. */
export interface IamAuthorizerCaches {
  openSession: SessionOpener;
  roles: RolePolicyCache;
}

export function iamAuthorizerCaches(options: Pick<IamAuthorizerOptions, 'secrets' | 'secretsKey' | 'roles' | 'policyCacheSeconds'>): IamAuthorizerCaches {
  const secrets = options.secrets ?? (options.secretsKey ? new SecretBox(options.secretsKey) : undefined);
  if (!secrets) throw new Error('createIamAuthorizer needs the secrets key that seals session tokens (secretsKey or secrets)');
  return { openSession: sessionOpener(secrets), roles: new RolePolicyCache(options.roles, (options.policyCacheSeconds ?? 30) * 1000) };
}

/**
 * `caches`: shared with other authorizers made from the same secrets and roles (a gateway's IAM routes),
 * so a client's session token is opened and its role loaded once, whichever route it calls.
 */
export function createIamAuthorizer(options: IamAuthorizerOptions, caches: IamAuthorizerCaches = iamAuthorizerCaches(options)): IamAuthorizer {
  const { openSession, roles } = caches;
  const services = options.services && options.services.length > 0 ? new Set(options.services) : undefined;
  const maxClockSkewSeconds = options.maxClockSkewSeconds ?? 300;
  const now = options.now ?? (() => new Date());

  const authorize = async (request: AuthorizerRequest): Promise<AuthorizerDecision<IamPrincipal>> => {
    const nowMs = now().getTime();
    const caller = verifySignedRequest(request, { openSession, nowMs, maxClockSkewSeconds, ...(services && { services }) });
    if ('allowed' in caller) return caller;
    const roleName = roleNameOfArn(caller.claims.roleArn);
    const cached = roles.peek(roleName);
    const role = cached !== undefined ? cached : await roles.get(roleName);
    return authorizeCaller(caller, role, options.resolveAction(request), request, nowMs);
  };
  return Object.assign(authorize, { roles });
}
