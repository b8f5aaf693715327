import type { ServiceContext } from '../context.js';
import { QueryProtocolError } from '../protocol/query-api.js';
import type { StoredRole } from '../storage/roles-repository.js';
import { randomString } from '../userpools/ids.js';
import { MalformedPolicyDocumentError, parsePolicy, type PolicyDocument } from '../authorizer/policy/index.js';

export function roleArn(accountId: string, role: Pick<StoredRole, 'path' | 'roleName'>): string {
  return `arn:aws:iam::${accountId}:role${role.path}${role.roleName}`;
}

/** `arn:aws:iam::<account>:role/<path/>name` → the role name, when the account is this installation's. */
export function roleNameOf(accountId: string, arn: string): string | undefined {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007F]*\/)?([\w+=,.@-]+)$/.exec(arn);
  return match && match[1] === accountId ? match[2] : undefined;
}

export function noSuchRole(name: string): QueryProtocolError {
  return new QueryProtocolError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
}

/** Policy documents are checked when they are stored, so evaluation never meets a malformed one. */
export function checkPolicyDocument(document: string): string {
  parsed(document);
  return document;
}

function parsed(document: string): PolicyDocument {
  try {
    return parsePolicy(document);
  } catch (error) {
    if (error instanceof MalformedPolicyDocumentError) throw new QueryProtocolError('MalformedPolicyDocument', error.message, 400);
    throw error;
  }
}

/** The identity pools' service principal, global or regional (`cognito-identity.us-east-1.amazonaws.com`, China's `.com.cn`). */
const COGNITO_IDENTITY = /^cognito-identity(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
const AUD_KEY = /^cognito-identity\.amazonaws\.com(\.cn)?:aud$/i;

/**
 * A role's trust policy, checked as a policy document and as IAM checks one that trusts identity pools:
 * a statement allowing cognito-identity.amazonaws.com to assume the role must say which pools, with the
 * condition key `cognito-identity.amazonaws.com:aud`. Without it, an identity of any pool (a guest of a
 * pool with the classic flow, say) could assume the role.
 */
export function checkTrustPolicyDocument(document: string): string {
  for (const statement of parsed(document).Statement) {
    const principal = statement.Principal;
    const trustsIdentityPools = statement.Effect === 'Allow' && principal !== undefined && principal !== '*' && (principal.Federated ?? []).some((p) => COGNITO_IDENTITY.test(p));
    const keys = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
    if (trustsIdentityPools && !keys.some((key) => AUD_KEY.test(key))) {
      throw new QueryProtocolError(
        'MalformedPolicyDocument',
        'A trust policy that allows cognito-identity.amazonaws.com must restrict the identity pools with the condition key cognito-identity.amazonaws.com:aud.',
        400,
      );
    }
  }
  return document;
}

export function newRoleId(ctx: ServiceContext): string {
  return `AROA${randomString(ctx.randomBytes, 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
}

export interface RoleDeclaration {
  RoleName: string;
  Path?: string;
  Description?: string;
  MaxSessionDuration?: number;
  AssumeRolePolicyDocument: string | object;
  Policies?: Record<string, string | object>;
}

const asJson = (document: string | object) => (typeof document === 'string' ? document : JSON.stringify(document));

/** Roles declared in the config file: created, or brought up to the declared trust policy and policies. */
export async function applyDeclaredRoles(ctx: ServiceContext, roles: RoleDeclaration[]): Promise<void> {
  for (const declared of roles) {
    const trust = checkTrustPolicyDocument(asJson(declared.AssumeRolePolicyDocument));
    const existing = await ctx.repos.roles.get(declared.RoleName);
    if (!existing) {
      await ctx.repos.roles.insert({
        roleName: declared.RoleName,
        roleId: newRoleId(ctx),
        path: declared.Path ?? '/',
        ...(declared.Description && { description: declared.Description }),
        assumeRolePolicy: trust,
        maxSessionDuration: declared.MaxSessionDuration ?? 3600,
        createdAt: ctx.now(),
      });
    } else {
      await ctx.repos.roles.update(declared.RoleName, { assumeRolePolicy: trust, description: declared.Description, maxSessionDuration: declared.MaxSessionDuration });
    }
    for (const [name, document] of Object.entries(declared.Policies ?? {})) {
      await ctx.repos.roles.putPolicy(declared.RoleName, name, checkPolicyDocument(asJson(document)));
    }
  }
}
