import type { GetIdInput, GetIdResponse, GetOpenIdTokenInput, GetOpenIdTokenResponse } from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { requireIdentity, checkLoginsMatch, resolveIdentity } from '../identities.js';
import { requireIdentityPool } from '../identity-pools.js';
import { amrOf, verifyLogins } from '../logins.js';
import { identityOpenIdToken } from '../openid-token.js';

/** The identity of these logins (or a new unauthenticated one), in the region of its pool. */
export async function getId(ctx: RequestContext, input: GetIdInput): Promise<GetIdResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const logins = await verifyLogins(ctx, pool, input.Logins);
  return { IdentityId: await resolveIdentity(ctx, pool, logins) };
}

/**
 * The classic flow's OpenID token for an identity: its logins are checked (and linked, as GetId would)
 * before a token naming the identity is signed.
 */
export async function getOpenIdToken(ctx: RequestContext, input: GetOpenIdTokenInput): Promise<GetOpenIdTokenResponse> {
  const identity = await requireIdentity(ctx, input.IdentityId!);
  const pool = await requireIdentityPool(ctx, identity.poolId);
  const logins = await verifyLogins(ctx, pool, input.Logins);
  checkLoginsMatch(identity, logins);
  // Without logins, resolveIdentity checks that the pool (still) allows unauthenticated identities.
  const identityId = await resolveIdentity(ctx, pool, logins, identity);
  const Token = await identityOpenIdToken(ctx, pool.id, identityId, amrOf(logins));
  return { IdentityId: identityId, Token };
}
