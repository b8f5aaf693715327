import type {
  DeleteIdentitiesInput,
  DeleteIdentitiesResponse,
  DescribeIdentityInput,
  IdentityDescription,
  ListIdentitiesInput,
  ListIdentitiesResponse,
  UnlinkIdentityInput,
} from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';
import type { StoredIdentity } from '../../storage/identities-repository.js';
import { requireIdentity } from '../identities.js';
import { requireIdentityPool, userPoolIdOfProvider } from '../identity-pools.js';
import { verifyLogins } from '../logins.js';

function describe(identity: StoredIdentity): IdentityDescription {
  return {
    IdentityId: identity.identityId,
    Logins: [...new Set(identity.logins.map((l) => l.provider))],
    CreationDate: identity.createdAt,
    LastModifiedDate: identity.updatedAt,
  };
}

export async function describeIdentity(ctx: RequestContext, input: DescribeIdentityInput): Promise<IdentityDescription> {
  return describe(await requireIdentity(ctx, input.IdentityId!));
}

export async function listIdentities(ctx: RequestContext, input: ListIdentitiesInput): Promise<ListIdentitiesResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const limit = input.MaxResults!;
  const listing = `ListIdentities:${pool.id}`;
  const rows = await ctx.repos.identities.list(pool.id, limit + 1, decodeNextToken(listing, input.NextToken, ctx.requestId));
  const { items, nextToken } = page(rows, limit, (i) => i.identityId, listing);
  return { IdentityPoolId: pool.id, Identities: items.map(describe), ...(nextToken && { NextToken: nextToken }) };
}

/** Deletes identities; ids that do not exist are simply not there afterwards, as in Cognito. */
export async function deleteIdentities(ctx: RequestContext, input: DeleteIdentitiesInput): Promise<DeleteIdentitiesResponse> {
  for (const identityId of input.IdentityIdsToDelete!) await ctx.repos.identities.delete(identityId);
  return { UnprocessedIdentityIds: [] };
}

/** Unlinks providers from an identity; the caller proves it is the identity with its current logins. */
export async function unlinkIdentity(ctx: RequestContext, input: UnlinkIdentityInput): Promise<Record<string, never>> {
  const identity = await requireIdentity(ctx, input.IdentityId!);
  const pool = await requireIdentityPool(ctx, identity.poolId);
  const logins = await verifyLogins(ctx, pool, input.Logins);
  const proven = new Set(logins.map((l) => `${l.provider}\u0000${l.subject}`));
  const developerProof = logins.some((l) => l.identityId === identity.identityId);
  if (!developerProof && !identity.logins.some((l) => proven.has(`${l.provider}\u0000${l.subject}`))) {
    throw new NotAuthorizedException("Logins don't match. Please include at least one valid login for this identity.");
  }
  // A user pool provider may be named in either spelling (see userPoolIdOfProvider), as in Logins.
  const named = (provider: string, name: string) => provider === name || (userPoolIdOfProvider(name) ?? name) === userPoolIdOfProvider(provider);
  for (const login of identity.logins) {
    if (input.LoginsToRemove!.some((name) => named(login.provider, name))) await ctx.repos.identities.unlink(pool.id, identity.identityId, login, ctx.now());
  }
  return {};
}
