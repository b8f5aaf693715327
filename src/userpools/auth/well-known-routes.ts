import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../context.js';
import { NotFoundException } from '../../protocol/errors.js';
import { sendError } from '../../protocol/serialize.js';
import { issuerOf } from './tokens.js';

/** Verifiers cache the keys for this long; a rotated-in key is published well before it signs anything old. */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * Per-pool OpenID Connect discovery and JWKS, at the issuer as Cognito serves them
 * (`<issuer>/.well-known/jwks.json`). The OAuth endpoints live under the issuer as well.
 */
export function registerWellKnownRoutes(app: FastifyInstance, services: ServiceContext): void {
  const pool = async (poolId: string) => (/^[\w-]+_[0-9a-zA-Z]+$/.test(poolId) ? services.repos.userPools.get(poolId) : undefined);

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (request, reply) => {
    if (!(await pool(request.params.poolId))) return sendError(reply, new NotFoundException(`User pool ${request.params.poolId} does not exist.`));
    return reply.header('cache-control', CACHE_CONTROL).send(await services.keys.jwks(request.params.poolId));
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (request, reply) => {
    const found = await pool(request.params.poolId);
    if (!found) return sendError(reply, new NotFoundException(`User pool ${request.params.poolId} does not exist.`));
    const issuer = issuerOf(services, found.id);
    return reply.header('cache-control', CACHE_CONTROL).send({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userInfo`,
      revocation_endpoint: `${issuer}/oauth2/revoke`,
      end_session_endpoint: `${issuer}/logout`,
      response_types_supported: ['code', 'token'],
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    });
  });
}
