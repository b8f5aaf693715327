import type { FastifyReply, FastifyRequest } from 'fastify';
import { revokeRefreshToken } from '../userpools/auth/refresh.js';
import { authenticateClient } from './client-authentication.js';
import type { HostedPool } from './hosted-pool.js';
import { InvalidRequest, UnsupportedTokenType } from './oauth-errors.js';
import { Params } from './params.js';

/** POST /oauth2/revoke (RFC 7009): revokeRefreshToken, for a client authenticated as the token endpoint does. */
export async function revokeEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = Params.ofForm(request);
  const client = await authenticateClient(hosted, request.headers.authorization, form);
  const token = form.require('token');
  const outcome = await revokeRefreshToken(hosted.ctx, hosted.pool, client, token);
  if (outcome === 'disabled') throw new InvalidRequest('Token revocation is not enabled for this app client.');
  // A JWT (access or ID token) is refused with RFC 7009's error.
  if (outcome === 'not-refresh') throw new UnsupportedTokenType('Only refresh tokens can be revoked.');
  return reply.header('cache-control', 'no-store').code(200).send();
}
