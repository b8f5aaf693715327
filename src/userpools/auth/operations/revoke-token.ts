import type { RevokeTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { UnsupportedOperationException } from '../../../protocol/errors.js';
import { checkClientSecret, findClient } from '../../client-requests.js';
import { UnsupportedTokenTypeException } from '../../errors.js';
import { revokeRefreshToken } from '../refresh.js';

/** RevokeToken: revokeRefreshToken, for a client that names itself (and its secret) in the request. */
export async function revokeToken(ctx: RequestContext, input: RevokeTokenRequest): Promise<Record<string, never>> {
  const { pool, client, ctx: poolCtx } = await findClient(ctx, input.ClientId!);
  checkClientSecret(poolCtx, client, input.ClientSecret);
  const outcome = await revokeRefreshToken(poolCtx, pool, client, input.Token!);
  if (outcome === 'disabled') throw new UnsupportedOperationException('Token revocation is not enabled for this app client.');
  if (outcome === 'not-refresh') throw new UnsupportedTokenTypeException('Only refresh tokens can be revoked.');
  return {};
}
