import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { DISCOVERY_CACHE_CONTROL } from '../userpools/auth/discovery-document.js';
import { IDENTITY_KEYS, identityIssuer } from './openid-token.js';

/**
 * The identity pools' OpenID issuer: discovery and keys, so an external STS (or any verifier) can check
 * the tokens GetOpenIdToken issues.
 */
export function registerIdentityWellKnownRoutes(app: FastifyInstance, services: ServiceContext): void {
  app.get(`/${IDENTITY_KEYS}/.well-known/jwks.json`, async (_request, reply) =>
    reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(await services.keys.jwks(IDENTITY_KEYS)),
  );
  app.get(`/${IDENTITY_KEYS}/.well-known/openid-configuration`, async (_request, reply) => {
    const issuer = identityIssuer(services);
    return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'aud', 'amr', 'iss', 'iat', 'exp'],
    });
  });
}
