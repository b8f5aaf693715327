import type {
  CreateIdentityPoolInput,
  DeleteIdentityPoolInput,
  DescribeIdentityPoolInput,
  IdentityPool,
  ListIdentityPoolsInput,
  ListIdentityPoolsResponse,
} from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';
import { newUuid } from '../../userpools/users/users.js';
import { poolSettingsFrom } from '../identity-pool-settings.js';
import { checkOpenIdConnectProviders, checkUserPoolProviders, requireIdentityPool, toIdentityPool } from '../identity-pools.js';

/** A pool in the caller's region, id `<region>:<uuid>`. */
export async function createIdentityPool(ctx: RequestContext, input: CreateIdentityPoolInput): Promise<IdentityPool> {
  await checkUserPoolProviders(ctx, input.CognitoIdentityProviders);
  await checkOpenIdConnectProviders(ctx, input.OpenIdConnectProviderARNs);
  const now = ctx.now();
  const { IdentityPoolName, ...settings } = input;
  const pool = {
    id: `${ctx.region}:${newUuid(ctx.randomBytes)}`,
    region: ctx.region,
    name: IdentityPoolName!,
    settings: { pool: poolSettingsFrom(settings), roles: {}, roleMappings: {}, principalTags: {} },
    createdAt: now,
    updatedAt: now,
  };
  await ctx.repos.identityPools.insert(pool);
  return toIdentityPool(pool);
}

export async function describeIdentityPool(ctx: RequestContext, input: DescribeIdentityPoolInput): Promise<IdentityPool> {
  return toIdentityPool(await requireIdentityPool(ctx, input.IdentityPoolId!));
}

/** Replaces the pool's description, as Cognito does: what the request leaves out is unset. Roles stay. */
export async function updateIdentityPool(ctx: RequestContext, input: IdentityPool): Promise<IdentityPool> {
  await checkUserPoolProviders(ctx, input.CognitoIdentityProviders);
  await checkOpenIdConnectProviders(ctx, input.OpenIdConnectProviderARNs);
  const { IdentityPoolId, IdentityPoolName, ...settings } = input;
  const updated = await ctx.repos.identityPools.update(IdentityPoolId!, ctx.now(), (pool) => ({
    ...pool,
    name: IdentityPoolName!,
    settings: { ...pool.settings, pool: poolSettingsFrom({ ...settings, IdentityPoolTags: settings.IdentityPoolTags ?? pool.settings.pool.IdentityPoolTags }) },
  }));
  if (!updated) throw new ResourceNotFoundException(`IdentityPool '${IdentityPoolId}' not found.`);
  return toIdentityPool(updated);
}

/** Deletes the pool with its identities; credentials already issued run out on their own. */
export async function deleteIdentityPool(ctx: RequestContext, input: DeleteIdentityPoolInput): Promise<Record<string, never>> {
  if (!(await ctx.repos.identityPools.delete(input.IdentityPoolId!))) {
    throw new ResourceNotFoundException(`IdentityPool '${input.IdentityPoolId}' not found.`);
  }
  return {};
}

export async function listIdentityPools(ctx: RequestContext, input: ListIdentityPoolsInput): Promise<ListIdentityPoolsResponse> {
  const limit = input.MaxResults!;
  const rows = await ctx.repos.identityPools.list(ctx.region, limit + 1, decodeNextToken('ListIdentityPools', input.NextToken, ctx.requestId));
  const { items, nextToken } = page(rows, limit, (p) => p.id, 'ListIdentityPools');
  return {
    IdentityPools: items.map((p) => ({ IdentityPoolId: p.id, IdentityPoolName: p.name })),
    ...(nextToken && { NextToken: nextToken }),
  };
}
