import type { ListUsersRequest, ListUsersResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { decodeNextToken, encodeNextToken } from '../../../protocol/pagination.js';
import type { UserCursor } from '../../../storage/users-repository.js';
import { requirePool } from '../../pools.js';
import { parseUserFilter } from '../list-users-filter.js';
import { usernameKey } from '../sign-in-names.js';
import { toUserType } from '../users.js';

const MAX_PAGE = 60;

/** Users in index order, filtered as Cognito's filter language says, a page at a time. */
export async function listUsers(ctx: RequestContext, input: ListUsersRequest): Promise<ListUsersResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const filter = parseUserFilter(input.Filter, (name) => usernameKey(pool, name));
  const limit = input.Limit || MAX_PAGE;
  // The token is bound to the pool and the filter: a token from another listing is refused.
  const listing = `ListUsers:${pool.id}:${input.Filter ?? ''}`;
  const cursor = decodeNextToken(listing, input.PaginationToken);
  const { users, last } = await ctx.repos.users.list(pool.id, limit, filter, cursor ? (JSON.parse(cursor) as UserCursor) : undefined);
  return {
    Users: users.map((u) => toUserType(u, input.AttributesToGet)),
    ...(last && { PaginationToken: encodeNextToken(listing, JSON.stringify(last)) }),
  };
}
