import type { ListUsersRequest, ListUsersResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { decodeNextToken, encodeNextToken } from '../../../protocol/pagination.js';
import type { UserCursor, UserFilter } from '../../../storage/users-repository.js';
import { requirePool } from '../../pools.js';
import { parseUserFilter } from '../list-users-filter.js';
import { usernameKey } from '../sign-in-names.js';
import { toUserType } from '../users.js';

const MAX_PAGE = 60;

/**
 * The cursor inside a token (the filtered column's value, then the key), or undefined when it is not one:
 * tokens are not signed, so a hand-made one is refused as a bad marker, not taken to the database as a
 * value of the wrong type (a server error).
 */
function parseCursor(cursor: string, filter: UserFilter | undefined): UserCursor | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  const valueType = filter ? typeof filter.value : 'object';
  if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' && typeof parsed[0] === valueType && (filter || parsed[0] === null)) {
    return parsed as UserCursor;
  }
  return undefined;
}

/** Users in index order, filtered as Cognito's filter language says, a page at a time. */
export async function listUsers(ctx: RequestContext, input: ListUsersRequest): Promise<ListUsersResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const filter = parseUserFilter(input.Filter, (name) => usernameKey(pool, name));
  const limit = input.Limit || MAX_PAGE;
  // The token is bound to the pool and the filter: a token from another listing is refused.
  const listing = `ListUsers:${pool.id}:${input.Filter ?? ''}`;
  const after = decodeNextToken(listing, input.PaginationToken, ctx.requestId, (key) => parseCursor(key, filter));
  const { users, last } = await ctx.repos.users.list(pool.id, limit, filter, after);
  return {
    Users: users.map((u) => toUserType(u, input.AttributesToGet)),
    ...(last && { PaginationToken: encodeNextToken(listing, JSON.stringify(last)) }),
  };
}
