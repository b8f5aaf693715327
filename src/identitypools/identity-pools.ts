import type { CognitoIdentityProvider, IdentityPool } from '@aws-sdk/client-cognito-identity';
import type { ServiceContext } from '../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import { oidcProviderKeyOf } from '../iam/oidc-providers.js';
import type { StoredIdentityPool } from '../storage/identity-pools-repository.js';

export async function requireIdentityPool(ctx: ServiceContext, poolId: string): Promise<StoredIdentityPool> {
  const pool = await ctx.repos.identityPools.get(poolId);
  if (!pool) throw new ResourceNotFoundException(`IdentityPool '${poolId}' not found.`);
  return pool;
}

export function toIdentityPool(pool: StoredIdentityPool): IdentityPool {
  return { IdentityPoolId: pool.id, IdentityPoolName: pool.name, ...pool.settings.pool } as IdentityPool;
}

/**
 * The user pool an identity pool's provider name points at. Both spellings work: Gatehouse's issuer
 * without the scheme (`<host[:port]>/<poolId>`), and Cognito's `cognito-idp.<region>.amazonaws.com/<poolId>`
 * that apps written for Cognito build themselves.
 */
export function userPoolIdOfProvider(providerName: string): string | undefined {
  return /^[^/]+\/([\w-]+_[0-9a-zA-Z]+)$/.exec(providerName)?.[1];
}

/** Every CognitoIdentityProviders entry must name a user pool this installation has. */
export async function checkUserPoolProviders(ctx: ServiceContext, providers: CognitoIdentityProvider[] = []): Promise<void> {
  for (const provider of providers) {
    const poolId = userPoolIdOfProvider(provider.ProviderName ?? '');
    if (!poolId || !(await ctx.repos.userPools.get(poolId))) {
      throw new InvalidParameterException(`Invalid provider name ${provider.ProviderName}: no such user pool.`);
    }
    if (provider.ClientId && !(await ctx.repos.appClients.get(poolId, provider.ClientId))) {
      throw new InvalidParameterException(`Invalid provider ${provider.ProviderName}: no app client ${provider.ClientId} in that user pool.`);
    }
  }
}

/** Every OpenIdConnectProviderARNs entry must name an IAM OIDC provider this installation has. */
export async function checkOpenIdConnectProviders(ctx: ServiceContext, arns: string[] = []): Promise<void> {
  for (const arn of arns) {
    const key = oidcProviderKeyOf(ctx.config.accountId, arn);
    if (!key || !(await ctx.repos.oidcProviders.get(key))) {
      throw new InvalidParameterException(`Invalid OpenIdConnectProviderARN ${arn}: no such OpenID Connect provider.`);
    }
  }
}
