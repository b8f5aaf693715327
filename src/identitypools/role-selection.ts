import type { RoleMapping } from '@aws-sdk/client-cognito-identity';
import { NotAuthorizedException } from '../protocol/errors.js';
import type { StoredIdentityPool } from '../storage/identity-pools-repository.js';
import { InvalidIdentityPoolConfigurationException } from './errors.js';
import { userPoolIdOfProvider } from './identity-pools.js';
import type { VerifiedLogin } from './logins.js';

function noRole(): InvalidIdentityPoolConfigurationException {
  return new InvalidIdentityPoolConfigurationException('Invalid identity pool configuration. Check assigned IAM roles for this pool.');
}

function claimValues(claims: Record<string, unknown>, name: string): string[] | undefined {
  const value = claims[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Rules mapping: the first rule whose claim matches wins (NotEqual on a missing claim is skipped). */
function ruleRole(mapping: RoleMapping, claims: Record<string, unknown>): string | undefined {
  for (const rule of mapping.RulesConfiguration?.Rules ?? []) {
    const values = claimValues(claims, rule.Claim!);
    if (values === undefined) continue;
    const value = rule.Value!;
    const matches =
      rule.MatchType === 'Equals'
        ? values.includes(value)
        : rule.MatchType === 'Contains'
          ? values.some((v) => v.includes(value))
          : rule.MatchType === 'StartsWith'
            ? values.some((v) => v.startsWith(value))
            : !values.includes(value);
    if (matches) return rule.RoleARN;
  }
  return undefined;
}

/** Token mapping: CustomRoleArn when the token lists it, else the token's preferred role. */
function tokenRole(claims: Record<string, unknown>, customRoleArn: string | undefined): string | undefined {
  const roles = claimValues(claims, 'cognito:roles') ?? [];
  if (customRoleArn) {
    if (!roles.includes(customRoleArn)) throw new NotAuthorizedException('The ambiguous role mapping rules for this identity pool do not allow the CustomRoleArn.');
    return customRoleArn;
  }
  const preferred = claims['cognito:preferred_role'];
  return typeof preferred === 'string' ? preferred : undefined;
}

/**
 * The mapping for a login: an OpenID Connect provider's by its name; a user pool's keyed
 * `<provider>:<app client id>`, where the provider may be spelled either way a user pool can be named
 * (`cognito-idp.<region>.amazonaws.com/<id>` or Gatehouse's host) whatever spelling the pool lists, as
 * SetIdentityPoolRoles accepts both.
 */
function mappingFor(roleMappings: Record<string, RoleMapping>, login: VerifiedLogin): RoleMapping | undefined {
  if (Object.hasOwn(roleMappings, login.provider)) return roleMappings[login.provider];
  const clientId = String(login.claims.aud ?? '');
  const exact = roleMappings[`${login.provider}:${clientId}`];
  if (exact) return exact;
  const userPoolId = userPoolIdOfProvider(login.provider);
  if (!userPoolId) return undefined;
  for (const [key, mapping] of Object.entries(roleMappings)) {
    const colon = key.lastIndexOf(':');
    if (colon > 0 && key.slice(colon + 1) === clientId && userPoolIdOfProvider(key.slice(0, colon)) === userPoolId) return mapping;
  }
  return undefined;
}

/**
 * Which role an identity gets: the unauthenticated role, or for a login with a role mapping (keyed
 * `<provider>:<app client id>`) the role the mapping picks — falling back as AmbiguousRoleResolution
 * says — and otherwise the authenticated role.
 */
export function selectRole(pool: StoredIdentityPool, logins: VerifiedLogin[], customRoleArn?: string): string {
  const { roles, roleMappings } = pool.settings;
  if (logins.length === 0) {
    if (!roles.unauthenticated) throw noRole();
    return roles.unauthenticated;
  }
  for (const login of logins) {
    const mapping = mappingFor(roleMappings, login);
    if (!mapping) continue;
    const picked = mapping.Type === 'Token' ? tokenRole(login.claims, customRoleArn) : ruleRole(mapping, login.claims);
    if (picked) return picked;
    if (mapping.AmbiguousRoleResolution === 'Deny') throw new NotAuthorizedException('No role mapping matched, and the identity pool denies ambiguous roles.');
  }
  if (!roles.authenticated) throw noRole();
  return roles.authenticated;
}
