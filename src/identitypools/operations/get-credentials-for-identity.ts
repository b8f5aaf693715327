import type { GetCredentialsForIdentityInput, GetCredentialsForIdentityResponse } from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import { assumeRoleWithWebIdentity, RoleAssumptionError } from '../../sts/assume-role.js';
import { InvalidIdentityPoolConfigurationException } from '../errors.js';
import { checkLoginsMatch, requireIdentity, resolveIdentity } from '../identities.js';
import { requireIdentityPool } from '../identity-pools.js';
import { amrOf, verifyLogins } from '../logins.js';
import { selectRole } from '../role-selection.js';

/**
 * The enhanced flow: the identity's logins are verified, its role chosen (roles and role mappings), and
 * credentials for that role issued — exactly what GetOpenIdToken plus AssumeRoleWithWebIdentity would
 * give, including the role's trust-policy check (a role that does not trust the pool is a configuration
 * error, as Cognito reports it).
 */
export async function getCredentialsForIdentity(ctx: RequestContext, input: GetCredentialsForIdentityInput): Promise<GetCredentialsForIdentityResponse> {
  const identity = await requireIdentity(ctx, input.IdentityId!);
  const pool = await requireIdentityPool(ctx, identity.poolId);
  const logins = await verifyLogins(ctx, pool, input.Logins);
  checkLoginsMatch(identity, logins);
  if (logins.length === 0 && !pool.settings.pool.AllowUnauthenticatedIdentities) {
    throw new NotAuthorizedException('Unauthenticated access is not supported for this identity pool.');
  }
  const identityId = logins.length > 0 ? await resolveIdentity(ctx, pool, logins, identity.identityId, identity.logins.length === 0) : identity.identityId;
  const roleArn = selectRole(pool, logins, input.CustomRoleArn);
  try {
    const { credentials } = await assumeRoleWithWebIdentity(ctx, {
      roleArn,
      sessionName: 'CognitoIdentityCredentials',
      principal: 'cognito-identity.amazonaws.com',
      context: {
        'cognito-identity.amazonaws.com:aud': pool.id,
        'cognito-identity.amazonaws.com:sub': identityId,
        'cognito-identity.amazonaws.com:amr': amrOf(logins),
      },
    });
    return {
      IdentityId: identityId,
      Credentials: {
        AccessKeyId: credentials.AccessKeyId,
        SecretKey: credentials.SecretAccessKey,
        SessionToken: credentials.SessionToken,
        Expiration: credentials.Expiration,
      },
    };
  } catch (error) {
    if (error instanceof RoleAssumptionError) throw new InvalidIdentityPoolConfigurationException(`Invalid identity pool configuration. ${error.message}`);
    throw error;
  }
}
