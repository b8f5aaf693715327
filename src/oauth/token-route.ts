import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import type { DirectRoute } from '../api-listener.js';
import type { ServiceContext } from '../context.js';
import type { ApiRequest } from '../protocol/json-api.js';
import type { ApiResponse } from '../protocol/serialize.js';
import type { Allowance } from '../security/rate-limiter.js';
import { apiErrorAnswer } from './api-errors.js';
import { hostedAtIssuer } from './hosted-pool.js';
import type { JsonAnswer } from './oauth-errors.js';
import { Params } from './params.js';
import { NOT_SERVED, OAUTH_SECURITY_HEADERS } from './register.js';
import { grantTokens, TOKEN_ANSWER_HEADERS } from './token-endpoint.js';

/** A pool id as hosted-pool.ts accepts one, so the path needs no decoding; any other path goes to Fastify. */
const AT_ISSUER = /^\/([\w-]+_[0-9a-zA-Z]+)\/oauth2\/token(?:\?|$)/;
const FORM = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

export interface TokenRouteOptions {
  services: ServiceContext;
  limiter: Allowance;
  trustProxy: boolean;
  log: FastifyBaseLogger;
}

/**
 * `POST <poolId>/oauth2/token` with a form body, answered on node:http (api-listener.ts) rather than by
 * Fastify: the issuer's token endpoint, the one discovery names, so the one every OpenID Connect client
 * and machine client calls. Fastify's routing, hooks and reply cost about as much as the rest of a
 * client_credentials grant besides its signature (npm run bench -- client-credentials). Everything else —
 * another content type, a body of unknown length, the pool's own domain, app.inject — still reaches the
 * Fastify route, which gives the same answers from the same code (test/token-route.test.ts compares them).
 */
export function tokenRoute(options: TokenRouteOptions): DirectRoute {
  const { services, limiter, log } = options;
  return (req) => {
    const poolId = req.method === 'POST' && FORM.test(req.headers['content-type'] ?? '') ? AT_ISSUER.exec(req.url!)?.[1] : undefined;
    if (poolId === undefined) return undefined;
    return async (request: ApiRequest): Promise<ApiResponse> => {
      try {
        const hosted = await hostedAtIssuer(services, poolId, { id: request.id, ip: request.ip, protocol: protocolOf(req, options.trustProxy) }, limiter);
        if (!hosted) return answered(NOT_SERVED);
        const tokens = await grantTokens(hosted, request.headers.authorization, Params.ofFormBody(request.body));
        return answered({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...TOKEN_ANSWER_HEADERS }, body: JSON.stringify(tokens) });
      } catch (error) {
        const answer = apiErrorAnswer(error as Error);
        if (answer.unexpected) log.error({ err: error, reqId: request.id }, 'unexpected error');
        return answered(answer);
      }
    };
  };
}

/** With the headers the OAuth scope's hook gives every answer (register.ts). */
function answered(answer: JsonAnswer): ApiResponse {
  return { status: answer.status, headers: { ...OAUTH_SECURITY_HEADERS, 'cache-control': 'no-store', ...answer.headers }, body: Buffer.from(answer.body) };
}

/** Fastify's request.protocol: the last X-Forwarded-Proto from a trusted proxy, else the socket's. */
function protocolOf(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-proto'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
  return (req.socket as TLSSocket).encrypted ? 'https' : 'http';
}
