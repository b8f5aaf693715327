import type { FastifyReply, FastifyRequest } from 'fastify';
import { refreshTokenHash } from '../userpools/auth/tokens.js';
import { authenticateClient } from './client-authentication.js';
import type { HostedPool } from './hosted-pool.js';
import { InvalidRequest, UnsupportedTokenType } from './oauth-errors.js';
import { Params } from './params.js';

/**
 * POST /oauth2/revoke (RFC 7009): revokes a refresh token and, through their origin_jti, the ID and access
 * tokens issued with it. An unknown token, or another client's, is answered 200 like a revoked one
 * (§2.2), so the answer reveals nothing.
 */
export async function revokeEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = Params.ofForm(request);
  const { client } = await authenticateClient(hosted, request, form);
  const token = form.require('token');
  if (client.settings.EnableTokenRevocation === false) throw new InvalidRequest('Token revocation is not enabled for this app client.');
  // Cognito revokes refresh tokens only; a JWT (access or ID token) is refused with its RFC 7009 error.
  if (token.split('.').length === 3) throw new UnsupportedTokenType('Only refresh tokens can be revoked.');
  const { ctx, pool } = hosted;
  const stored = await ctx.repos.refreshTokens.get(pool.id, refreshTokenHash(ctx, token));
  if (stored && stored.clientId === client.clientId) await ctx.repos.refreshTokens.revokeOrigin(pool.id, stored.originJti, ctx.now());
  return reply.header('cache-control', 'no-store').code(200).send();
}
