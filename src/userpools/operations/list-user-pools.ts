import type { ListUserPoolsRequest, ListUserPoolsResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';

/** The caller's region's pools, in id order, a page at a time. */
export async function listUserPools(ctx: RequestContext, input: ListUserPoolsRequest): Promise<ListUserPoolsResponse> {
  const limit = input.MaxResults!;
  const after = decodeNextToken('ListUserPools', input.NextToken, ctx.requestId);
  const rows = await ctx.repos.userPools.list(ctx.region, limit + 1, after);
  const { items, nextToken } = page(rows, limit, (p) => p.id, 'ListUserPools');
  return {
    UserPools: items.map((pool) => ({
      Id: pool.id,
      Name: pool.name,
      LambdaConfig: pool.settings.userPool.LambdaConfig,
      LastModifiedDate: pool.updatedAt,
      CreationDate: pool.createdAt,
    })),
    ...(nextToken && { NextToken: nextToken }),
  };
}
