import type { RevokeTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { UnsupportedOperationException } from '../../../protocol/errors.js';
import { checkClientSecret, findClient } from '../../client-requests.js';
import { UnsupportedTokenTypeException } from '../../errors.js';
import { refreshTokenHash } from '../tokens.js';

/**
 * Revokes a refresh token and, through their origin_jti, the ID and access tokens issued from it. An
 * unknown token is not an error (as RFC 7009 has it), so the answer reveals nothing about tokens.
 */
export async function revokeToken(ctx: RequestContext, input: RevokeTokenRequest): Promise<Record<string, never>> {
  const { pool, client, ctx: poolCtx } = await findClient(ctx, input.ClientId!);
  checkClientSecret(poolCtx, client, input.ClientSecret);
  if (client.settings.EnableTokenRevocation === false) throw new UnsupportedOperationException('Token revocation is not enabled for this app client.');
  if (input.Token!.split('.').length === 3) throw new UnsupportedTokenTypeException('Only refresh tokens can be revoked.');
  const stored = await ctx.repos.refreshTokens.get(pool.id, refreshTokenHash(poolCtx, input.Token!));
  if (stored && stored.clientId === client.clientId) await ctx.repos.refreshTokens.revokeOrigin(pool.id, stored.originJti, ctx.now());
  return {};
}
