/**
 * `gatehouse gateway`: a reverse proxy in front of an upstream that lets through only the requests its
 * route table's authorizers allow (user pool tokens, or SigV4 with Gatehouse credentials checked against
 * the role's policies) and answers the rest 401/403 itself, in JSON or, for S3-style routes, S3's XML.
 *
 * Bodies are read whole before forwarding (the IAM authorizer checks the signed payload hash), up to
 * `bodyLimitBytes`. Hop-by-hop headers are dropped; the upstream learns who called through
 * `x-gatehouse-principal-id` (and `x-gatehouse-identity-id`, `x-gatehouse-role-arn`, `x-gatehouse-sub`),
 * which a client cannot set itself.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { SecretBox } from './security/secret-box.js';
import { decodedPath, templateActions } from './authorizer/access-check.js';
import type { AuthorizerDecision, AuthorizerRequest } from './authorizer/decision.js';
import { createIamAuthorizer, iamAuthorizerCaches, type IamAuthorizer, type IamAuthorizerCaches, type IamAuthorizerOptions } from './authorizer/iam-authorizer.js';
import type { IamPrincipal } from './authorizer/iam-decision.js';
import { fromFastifyRequest } from './authorizer/middleware.js';
import { refusalResponse, type RefusalFormat } from './authorizer/refusal.js';
import type { RolePolicySource } from './authorizer/role-policies.js';
import { s3Actions } from './authorizer/s3-actions.js';
import { createUserPoolAuthorizer, type UserPoolPrincipal } from './authorizer/user-pool-authorizer.js';
import { parseRouteTable, routeBase, routeMatcher, type RouteSpec, type RouteTable, type RouteTableInput } from './gateway-routes.js';
import { requestArrived } from './storage/read-epochs.js';

export interface GatewayOptions {
  /** Where allowed requests go, e.g. http://127.0.0.1:9000 (a route may name its own). */
  upstream?: string;
  routes: RouteTable | RouteTableInput;
  /** For IAM routes: what opens session tokens (the server's secrets key) and where role policies are. */
  secrets?: SecretBox;
  secretsKey?: string;
  roles?: RolePolicySource;
  maxClockSkewSeconds?: number;
  policyCacheSeconds?: number;
  /** The authorizers' clock (tests inject one). */
  now?: () => Date;
  /** Largest body forwarded (default 64 MiB). */
  bodyLimitBytes?: number;
  /** Take the client address and scheme from X-Forwarded-* (behind a load balancer). */
  trustProxy?: boolean;
  logger?: FastifyBaseLogger | boolean;
}

type Decision = AuthorizerDecision<Partial<UserPoolPrincipal & IamPrincipal> | Record<string, unknown>>;

interface CompiledRoute {
  spec: RouteSpec;
  upstream: URL;
  authorize: ((request: AuthorizerRequest) => Promise<Decision>) | undefined;
  errorFormat: RefusalFormat;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'host', 'content-length']);
const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/** What every IAM route of a gateway is made from, and the caches they share (made with the first). */
interface IamRoutesShared {
  sources: Pick<IamAuthorizerOptions, 'secrets' | 'secretsKey' | 'roles' | 'policyCacheSeconds'>;
  caches: () => IamAuthorizerCaches;
}

function iamRoutesShared(options: GatewayOptions): IamRoutesShared | undefined {
  if (!options.roles || !(options.secrets || options.secretsKey)) return undefined;
  const sources = {
    ...(options.secrets ? { secrets: options.secrets } : { secretsKey: options.secretsKey! }),
    roles: options.roles,
    ...(options.policyCacheSeconds !== undefined && { policyCacheSeconds: options.policyCacheSeconds }),
  };
  let caches: IamAuthorizerCaches | undefined;
  return { sources, caches: () => (caches ??= iamAuthorizerCaches(sources)) };
}

function compileRoute(prefix: string, spec: RouteSpec, table: RouteTable, options: GatewayOptions, iam: IamRoutesShared | undefined): CompiledRoute {
  const target = spec.upstream ?? options.upstream ?? table.upstream;
  if (!target) throw new Error(`route ${prefix} has no upstream (give --upstream, or upstream in the routes file)`);
  const upstream = new URL(target);
  if (spec.authorizer === 'none') return { spec, upstream, authorize: undefined, errorFormat: 'json' };
  if (spec.authorizer === 'userPool') {
    const authorize = createUserPoolAuthorizer({
      issuer: spec.issuer,
      ...(spec.jwksUri && { jwksUri: spec.jwksUri }),
      ...(spec.clientIds && { clientIds: spec.clientIds }),
      ...(spec.tokenUse && { tokenUse: spec.tokenUse }),
      ...(spec.requiredScopes && { requiredScopes: spec.requiredScopes }),
      ...(spec.scopeMatch && { scopeMatch: spec.scopeMatch }),
      ...(options.now && { now: options.now }),
    });
    return { spec, upstream, authorize, errorFormat: spec.errorFormat ?? 'json' };
  }
  if (!iam) throw new Error(`route ${prefix} uses the IAM authorizer: the gateway needs the secrets key and the roles`);
  const s3 = spec.actions === 's3';
  // The S3 mapping only makes sense for requests signed for S3; a fixed mapping takes any service unless told.
  const services = spec.services ?? (s3 ? ['s3'] : undefined);
  const authorize: IamAuthorizer = createIamAuthorizer(
    {
      ...iam.sources,
      ...(options.maxClockSkewSeconds !== undefined && { maxClockSkewSeconds: options.maxClockSkewSeconds }),
      ...(services && { services }),
      resolveAction: spec.actions === 's3' ? s3Actions() : templateActions({ ...spec.actions, prefix: routeBase(prefix) }),
      ...(options.now && { now: options.now }),
    },
    iam.caches(),
  );
  return { spec, upstream, authorize, errorFormat: spec.errorFormat ?? (s3 ? 's3' : 'json') };
}

/** The decoded path, or undefined when it is malformed or has `.`/`..` segments (which could route one way and land another). */
function routablePath(url: string): string | undefined {
  const path = decodedPath(url);
  if (path === undefined || !path.startsWith('/') || path.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return path;
}

function forwardHeaders(request: FastifyRequest, decision: Decision | undefined): Record<string, string | string[]> {
  const incoming = request.headers;
  const dropped = new Set(HOP_BY_HOP);
  const connection = incoming.connection;
  if (typeof connection === 'string') for (const name of connection.split(',')) dropped.add(name.trim().toLowerCase());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || dropped.has(name) || name.startsWith('x-gatehouse-')) continue;
    headers[name] = value;
  }
  const forwardedFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${request.ip}` : request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  if (incoming.host) headers['x-forwarded-host'] = incoming.host;
  if (decision?.allowed) {
    headers['x-gatehouse-principal-id'] = decision.principalId;
    const principal = decision.principal as Partial<UserPoolPrincipal & IamPrincipal>;
    if (principal.identityId) headers['x-gatehouse-identity-id'] = principal.identityId;
    if (principal.roleArn) headers['x-gatehouse-role-arn'] = principal.roleArn;
    if (principal.sub) headers['x-gatehouse-sub'] = principal.sub;
  }
  return headers;
}

function responseHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding' || name === 'trailer' || name === 'upgrade' || name === 'proxy-connection') continue;
    out[name] = value;
  }
  return out;
}

async function sendRefusal(reply: FastifyReply, status: number, code: string, message: string, format: RefusalFormat, requestId: string): Promise<FastifyReply> {
  const refusal = refusalResponse({ allowed: false, status: status as 401 | 403, code, message }, format, requestId);
  return reply.code(status).headers(refusal.headers).send(refusal.body);
}

/** The gateway as a Fastify app (not yet listening). */
export async function createGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const table = parseRouteTable(options.routes);
  const iam = iamRoutesShared(options);
  const routes = Object.entries(table.routes).map(([prefix, spec]) => [prefix, compileRoute(prefix, spec, table, options, iam)] as const);
  const match = routeMatcher(routes);
  const bodyLimit = options.bodyLimitBytes ?? 64 * 1024 * 1024;
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 256 });

  const logger = options.logger ?? false;
  const app = Fastify({
    ...(typeof logger === 'boolean' ? { logger } : { loggerInstance: logger }),
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => randomUUID(),
    exposeHeadRoutes: false,
  });
  // Every body, whatever its type, as the bytes that arrived: signatures cover them, and they are forwarded as they are.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  app.addHook('onClose', async () => agent.close());

  app.route({
    method: [...METHODS],
    url: '*',
    handler: async (request, reply) => {
      requestArrived();
      const path = routablePath(request.raw.url ?? request.url);
      if (path === undefined) return sendRefusal(reply, 400, 'InvalidURI', 'The path is malformed or has . or .. segments.', 'json', request.id);
      const matched = match(path);
      if (!matched) return sendRefusal(reply, 404, 'NoSuchRoute', 'No route of this gateway serves this path.', 'json', request.id);
      const route = matched.value;

      let decision: Decision | undefined;
      if (route.authorize) {
        try {
          decision = await route.authorize(fromFastifyRequest(request));
        } catch (error) {
          request.log.error({ err: error }, 'authorizer failed');
          return sendRefusal(reply, 503, 'AuthorizerUnavailable', 'The authorizer could not decide (its keys or policies could not be loaded).', route.errorFormat, request.id);
        }
        if (!decision.allowed) {
          const refusal = refusalResponse(decision, route.errorFormat, request.id);
          return reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
        }
      }

      const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
      const basePath = route.upstream.pathname.replace(/\/+$/, '');
      try {
        const upstream = await agent.request({
          origin: route.upstream.origin,
          path: `${basePath}${request.raw.url ?? request.url}`,
          method: request.method as (typeof METHODS)[number],
          headers: forwardHeaders(request, decision),
          ...(body && { body }),
        });
        reply.code(upstream.statusCode).headers(responseHeaders(upstream.headers));
        if (request.method === 'HEAD') {
          upstream.body.resume();
          return reply.send();
        }
        return reply.send(upstream.body);
      } catch (error) {
        request.log.warn({ err: error }, 'upstream request failed');
        return sendRefusal(reply, 502, 'BadGateway', 'The upstream did not answer.', route.errorFormat, request.id);
      }
    },
  });
  return app;
}
