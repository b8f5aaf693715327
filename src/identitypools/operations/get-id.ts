import type { GetIdInput, GetIdResponse, GetOpenIdTokenInput, GetOpenIdTokenResponse } from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { requireIdentity, checkLoginsMatch, resolveIdentity } from '../identities.js';
import { requireIdentityPool } from '../identity-pools.js';
import { amrOf, verifyLogins } from '../logins.js';
import { issueOpenIdToken } from '../openid-token.js';

/** GetOpenIdToken's tokens live ten minutes, as Cognito's do. */
const OPENID_TOKEN_SECONDS = 600;

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
  const identityId = await resolveIdentity(ctx, pool, logins, identity.identityId, identity.logins.length === 0);
  const Token = await issueOpenIdToken(ctx, { identityId, identityPoolId: pool.id, amr: amrOf(logins), seconds: OPENID_TOKEN_SECONDS });
  return { IdentityId: identityId, Token };
}
