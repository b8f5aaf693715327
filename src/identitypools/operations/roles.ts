import type {
  GetIdentityPoolRolesInput,
  GetIdentityPoolRolesResponse,
  GetPrincipalTagAttributeMapInput,
  GetPrincipalTagAttributeMapResponse,
  SetIdentityPoolRolesInput,
  SetPrincipalTagAttributeMapInput,
  SetPrincipalTagAttributeMapResponse,
} from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { oidcProviderArn } from '../../iam/oidc-providers.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredIdentityPool } from '../../storage/identity-pools-repository.js';
import { requireIdentityPool, userPoolIdOfProvider } from '../identity-pools.js';

const ROLE_KEYS = new Set(['authenticated', 'unauthenticated']);

async function change(ctx: RequestContext, poolId: string, edit: (pool: StoredIdentityPool) => StoredIdentityPool): Promise<StoredIdentityPool> {
  const updated = await ctx.repos.identityPools.update(poolId, ctx.now(), edit);
  if (!updated) throw new ResourceNotFoundException(`IdentityPool '${poolId}' not found.`);
  return updated;
}

/**
 * The pool's authenticated and unauthenticated roles, and role mappings per provider. A mapping's key is
 * `<provider name>:<app client id>` of a user pool provider the identity pool lists, or the name of an
 * OpenID Connect provider it lists (`OpenIdConnectProviderARNs`, named as in Logins: `oidc.example.com`).
 */
export async function setIdentityPoolRoles(ctx: RequestContext, input: SetIdentityPoolRolesInput): Promise<Record<string, never>> {
  for (const key of Object.keys(input.Roles!)) {
    if (!ROLE_KEYS.has(key)) throw new InvalidParameterException(`Invalid role type ${key}: use authenticated or unauthenticated.`);
  }
  await change(ctx, input.IdentityPoolId!, (pool) => {
    for (const [key, mapping] of Object.entries(input.RoleMappings ?? {})) {
      // `<provider name>:<app client id>`; a key without a client id names the provider alone.
      const colon = key.lastIndexOf(':');
      const providerName = colon < 0 ? key : key.slice(0, colon);
      const listed =
        (pool.settings.pool.OpenIdConnectProviderARNs ?? []).includes(oidcProviderArn(ctx.config.accountId, key)) ||
        (pool.settings.pool.CognitoIdentityProviders ?? []).some((p) => userPoolIdOfProvider(p.ProviderName ?? '') === userPoolIdOfProvider(providerName));
      if (!listed) throw new InvalidParameterException(`Role mapping ${key} names a provider the identity pool does not list.`);
      if (mapping.Type === 'Rules' && !mapping.RulesConfiguration?.Rules?.length) {
        throw new InvalidParameterException(`Role mapping ${key} of type Rules needs RulesConfiguration.`);
      }
    }
    return { ...pool, settings: { ...pool.settings, roles: input.Roles!, roleMappings: input.RoleMappings ?? {} } };
  });
  return {};
}

export async function getIdentityPoolRoles(ctx: RequestContext, input: GetIdentityPoolRolesInput): Promise<GetIdentityPoolRolesResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  return {
    IdentityPoolId: pool.id,
    Roles: pool.settings.roles,
    ...(Object.keys(pool.settings.roleMappings).length > 0 && { RoleMappings: pool.settings.roleMappings }),
  };
}

export async function setPrincipalTagAttributeMap(ctx: RequestContext, input: SetPrincipalTagAttributeMapInput): Promise<SetPrincipalTagAttributeMapResponse> {
  const entry = { UseDefaults: input.UseDefaults ?? false, PrincipalTags: input.PrincipalTags ?? {} };
  await change(ctx, input.IdentityPoolId!, (pool) => ({
    ...pool,
    settings: { ...pool.settings, principalTags: { ...pool.settings.principalTags, [input.IdentityProviderName!]: entry } },
  }));
  return { IdentityPoolId: input.IdentityPoolId, IdentityProviderName: input.IdentityProviderName, ...entry };
}

export async function getPrincipalTagAttributeMap(ctx: RequestContext, input: GetPrincipalTagAttributeMapInput): Promise<GetPrincipalTagAttributeMapResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const entry = pool.settings.principalTags[input.IdentityProviderName!] ?? { UseDefaults: false, PrincipalTags: {} };
  return { IdentityPoolId: pool.id, IdentityProviderName: input.IdentityProviderName, ...entry };
}
