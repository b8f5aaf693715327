import type { ListUserPoolClientsRequest, ListUserPoolClientsResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';
import { requirePool } from '../pools.js';

const DEFAULT_PAGE = 60;

export async function listUserPoolClients(ctx: RequestContext, input: ListUserPoolClientsRequest): Promise<ListUserPoolClientsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const listing = `ListUserPoolClients:${pool.id}`;
  const rows = await ctx.repos.appClients.list(pool.id, limit + 1, decodeNextToken(listing, input.NextToken, ctx.requestId));
  const { items, nextToken } = page(rows, limit, (c) => c.clientId, listing);
  return {
    UserPoolClients: items.map((c) => ({ ClientId: c.clientId, UserPoolId: c.poolId, ClientName: c.name })),
    ...(nextToken && { NextToken: nextToken }),
  };
}
