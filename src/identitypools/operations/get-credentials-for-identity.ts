import type { Credentials, GetCredentialsForIdentityInput, GetCredentialsForIdentityResponse } from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import { assumeRoleWithWebIdentity, RoleAssumptionError } from '../../sts/assume-role.js';
import { InvalidIdentityPoolConfigurationException } from '../errors.js';
import { assumeRoleAtExternalSts } from '../external-sts.js';
import { checkLoginsMatch, requireIdentity, resolveIdentity } from '../identities.js';
import { requireIdentityPool } from '../identity-pools.js';
import { amrOf, verifyLogins, type VerifiedLogin } from '../logins.js';
import { identityOpenIdToken } from '../openid-token.js';
import { selectRole } from '../role-selection.js';

/** The session name Cognito gives the credentials of an identity. */
const SESSION_NAME = 'CognitoIdentityCredentials';

/**
 * The enhanced flow: the identity's logins are verified, its role chosen (roles and role mappings), and
 * credentials for that role obtained — exactly what GetOpenIdToken plus AssumeRoleWithWebIdentity would
 * give. From Gatehouse's own STS by default; from an external one (config identityPools.externalSts),
 * which gets the identity's OpenID token and decides on the role itself, when configured.
 */
export async function getCredentialsForIdentity(ctx: RequestContext, input: GetCredentialsForIdentityInput): Promise<GetCredentialsForIdentityResponse> {
  const identity = await requireIdentity(ctx, input.IdentityId!);
  const pool = await requireIdentityPool(ctx, identity.poolId);
  const logins = await verifyLogins(ctx, pool, input.Logins);
  checkLoginsMatch(identity, logins);
  if (logins.length === 0 && !pool.settings.pool.AllowUnauthenticatedIdentities) {
    throw new NotAuthorizedException('Unauthenticated access is not supported for this identity pool.');
  }
  const identityId = logins.length > 0 ? await resolveIdentity(ctx, pool, logins, identity) : identity.identityId;
  const roleArn = selectRole(pool, logins, input.CustomRoleArn);
  const externalSts = ctx.config.identityPools.externalSts;
  const credentials = externalSts
    ? await assumeRoleAtExternalSts(ctx, externalSts, {
        roleArn,
        sessionName: SESSION_NAME,
        webIdentityToken: await identityOpenIdToken(ctx, pool.id, identityId, amrOf(logins)),
      })
    : await assumeRoleHere(ctx, pool.id, identityId, logins, roleArn);
  return { IdentityId: identityId, Credentials: credentials };
}

/**
 * Gatehouse's own STS, with the role's trust-policy check (a role that does not trust the pool is a
 * configuration error, as Cognito reports it).
 */
async function assumeRoleHere(ctx: RequestContext, poolId: string, identityId: string, logins: VerifiedLogin[], roleArn: string): Promise<Credentials> {
  try {
    const { credentials } = await assumeRoleWithWebIdentity(ctx, {
      roleArn,
      sessionName: SESSION_NAME,
      principal: 'cognito-identity.amazonaws.com',
      context: {
        'cognito-identity.amazonaws.com:aud': poolId,
        'cognito-identity.amazonaws.com:sub': identityId,
        'cognito-identity.amazonaws.com:amr': amrOf(logins),
      },
    });
    return {
      AccessKeyId: credentials.AccessKeyId,
      SecretKey: credentials.SecretAccessKey,
      SessionToken: credentials.SessionToken,
      Expiration: credentials.Expiration,
    };
  } catch (error) {
    if (error instanceof RoleAssumptionError) throw new InvalidIdentityPoolConfigurationException(`Invalid identity pool configuration. ${error.message}`);
    throw error;
  }
}
