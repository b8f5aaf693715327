import type { ServiceContext } from '../context.js';
import { parseStoredPolicy, trustAllows } from '../authorizer/policy/index.js';
import { roleArn, roleNameOf } from '../iam/roles.js';
import { issueCredentials, type AwsCredentials } from './session-credentials.js';

/** Why a role could not be assumed; STS and Cognito each answer it with their own error. */
export class RoleAssumptionError extends Error {
  constructor(
    readonly reason: 'unknown-role' | 'not-trusted' | 'bad-duration',
    message: string,
  ) {
    super(message);
  }
}

export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  /** The federated principal the trust policy must admit: `cognito-identity.amazonaws.com`, or an OIDC issuer. */
  principal: string;
  /** Condition keys of the web identity (`cognito-identity.amazonaws.com:aud`, `:sub`, `:amr`, …). */
  context: Record<string, string | string[]>;
}

export interface AssumedRole {
  credentials: AwsCredentials;
  assumedRoleArn: string;
  assumedRoleId: string;
}

const MIN_DURATION_SECONDS = 900;
const DEFAULT_DURATION_SECONDS = 3600;

/**
 * AssumeRoleWithWebIdentity's core, shared with GetCredentialsForIdentity: the role must be Gatehouse's,
 * its trust policy must admit this principal under these conditions, and the duration must fit the role.
 */
export async function assumeRoleWithWebIdentity(ctx: ServiceContext, request: AssumeRoleRequest): Promise<AssumedRole> {
  const name = roleNameOf(ctx.config.accountId, request.roleArn);
  const role = name ? await ctx.repos.roles.get(name) : undefined;
  if (!role) throw new RoleAssumptionError('unknown-role', `Role ${request.roleArn} is not a role of this installation.`);
  const trusted = trustAllows(parseStoredPolicy(role.assumeRolePolicy), {
    principalFederated: request.principal,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: request.context,
  });
  if (!trusted) throw new RoleAssumptionError('not-trusted', `The trust policy of ${request.roleArn} does not admit this web identity.`);
  const duration = request.durationSeconds ?? Math.min(DEFAULT_DURATION_SECONDS, role.maxSessionDuration);
  if (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > role.maxSessionDuration) {
    throw new RoleAssumptionError('bad-duration', `DurationSeconds must be between ${MIN_DURATION_SECONDS} and the role's MaxSessionDuration (${role.maxSessionDuration}).`);
  }
  const assumedRoleId = `${role.roleId}:${request.sessionName}`;
  const credentials = issueCredentials(ctx, {
    roleArn: roleArn(ctx.config.accountId, role),
    roleId: role.roleId,
    sessionName: request.sessionName,
    expiresAt: ctx.now().getTime() + duration * 1000,
    context: { ...request.context, 'aws:userid': assumedRoleId },
  });
  return { credentials, assumedRoleArn: `arn:aws:sts::${ctx.config.accountId}:assumed-role/${role.roleName}/${request.sessionName}`, assumedRoleId };
}
