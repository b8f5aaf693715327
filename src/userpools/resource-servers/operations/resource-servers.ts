import type {
  CreateResourceServerRequest,
  CreateResourceServerResponse,
  DeleteResourceServerRequest,
  DescribeResourceServerRequest,
  DescribeResourceServerResponse,
  ListResourceServersRequest,
  ListResourceServersResponse,
  UpdateResourceServerRequest,
  UpdateResourceServerResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException, LimitExceededException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import { DuplicateKeyError } from '../../../storage/conflicts.js';
import { requirePool } from '../../pools.js';
import { checkScopes, requireResourceServer, resourceServerNotFound, toResourceServerType } from '../resource-servers.js';

/** Cognito's quota (TOKENS.md §6); the 100 scopes per server are the model's list limit. */
const MAX_RESOURCE_SERVERS_PER_POOL = 25;
const DEFAULT_PAGE = 50;

export async function createResourceServer(ctx: RequestContext, input: CreateResourceServerRequest): Promise<CreateResourceServerResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const scopes = checkScopes(input.Scopes);
  if ((await ctx.repos.resourceServers.count(pool.id)) >= MAX_RESOURCE_SERVERS_PER_POOL) {
    throw new LimitExceededException(`A user pool can have at most ${MAX_RESOURCE_SERVERS_PER_POOL} resource servers.`);
  }
  const now = ctx.now();
  const server = { poolId: pool.id, identifier: input.Identifier!, name: input.Name!, scopes, createdAt: now, updatedAt: now };
  try {
    await ctx.repos.resourceServers.insert(server);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new InvalidParameterException(`${server.identifier} already exists in user pool ${pool.id}.`);
    throw error;
  }
  return { ResourceServer: toResourceServerType(server) };
}

export async function describeResourceServer(ctx: RequestContext, input: DescribeResourceServerRequest): Promise<DescribeResourceServerResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { ResourceServer: toResourceServerType(await requireResourceServer(ctx, pool.id, input.Identifier!)) };
}

/**
 * Replaces the name and the scopes (none when the request gives none). Scopes dropped here stay on the app
 * clients that allow them, as in Cognito; tokens are no longer issued for them.
 */
export async function updateResourceServer(ctx: RequestContext, input: UpdateResourceServerRequest): Promise<UpdateResourceServerResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const scopes = checkScopes(input.Scopes);
  const updated = await ctx.repos.resourceServers.update(pool.id, input.Identifier!, ctx.now(), { name: input.Name!, scopes });
  if (!updated) throw resourceServerNotFound(pool.id, input.Identifier!);
  return { ResourceServer: toResourceServerType(updated) };
}

/** Allowed while app clients still name its scopes, as in Cognito. */
export async function deleteResourceServer(ctx: RequestContext, input: DeleteResourceServerRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.resourceServers.delete(pool.id, input.Identifier!))) throw resourceServerNotFound(pool.id, input.Identifier!);
  return {};
}

export async function listResourceServers(ctx: RequestContext, input: ListResourceServersRequest): Promise<ListResourceServersResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const listing = `ListResourceServers:${pool.id}`;
  const rows = await ctx.repos.resourceServers.list(pool.id, { limit: limit + 1, afterIdentifier: decodeNextToken(listing, input.NextToken, ctx.requestId) });
  const { items, nextToken } = page(rows, limit, (s) => s.identifier, listing);
  return { ResourceServers: items.map(toResourceServerType), ...(nextToken && { NextToken: nextToken }) };
}
