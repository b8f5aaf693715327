import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../context.js';
import { NotFoundException } from '../../protocol/errors.js';
import { sendError } from '../../protocol/serialize.js';
import { DISCOVERY_CACHE_CONTROL, openIdConfiguration } from './discovery-document.js';
import { issuerOf } from './tokens.js';


/**
 * Per-pool OpenID Connect discovery and JWKS, at the issuer as Cognito serves them
 * (`<issuer>/.well-known/jwks.json`). The OAuth endpoints live under the issuer as well.
 */
export function registerWellKnownRoutes(app: FastifyInstance, services: ServiceContext): void {
  const pool = async (poolId: string) => (/^[\w-]+_[0-9a-zA-Z]+$/.test(poolId) ? services.repos.userPools.get(poolId) : undefined);

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (request, reply) => {
    if (!(await pool(request.params.poolId))) return sendError(reply, new NotFoundException(`User pool ${request.params.poolId} does not exist.`));
    return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(await services.keys.jwks(request.params.poolId));
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (request, reply) => {
    const found = await pool(request.params.poolId);
    if (!found) return sendError(reply, new NotFoundException(`User pool ${request.params.poolId} does not exist.`));
    const issuer = issuerOf(services, found.id);
    return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(openIdConfiguration(issuer, issuer));
  });
}
