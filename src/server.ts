import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import cors from '@fastify/cors';
import type { Config } from './config.js';
import { requestContext, type RequestContext, type ServiceContext } from './context.js';
import { applyDeclaredPools } from './bootstrap.js';
import { Metrics } from './metrics.js';
import { createJsonApi, registerJsonApi } from './protocol/json-api.js';
import { apiListener, EXPOSED_HEADERS, type ServedRequest } from './api-listener.js';
import { identityPoolsModel, userPoolsModel } from './protocol/service-model.js';
import { openServices, type ServiceOverrides } from './services.js';
import type { Allowance } from './security/rate-limiter.js';
import { TooManyRequestsException } from './protocol/errors.js';
import { registerWellKnownRoutes } from './userpools/auth/well-known-routes.js';
import { registerOAuth } from './oauth/register.js';
import { tokenRoute } from './oauth/token-route.js';
import { isDatabaseReachable } from './storage/database.js';
import { userPoolOperations } from './userpools/operations/index.js';
import { identityPoolOperations } from './identitypools/operations/index.js';
import { registerIdentityWellKnownRoutes } from './identitypools/well-known-routes.js';
import { registerImportUploadRoute } from './userpools/user-import/upload-route.js';
import { applyDeclaredRoles } from './iam/roles.js';
import { iamService } from './iam/operations.js';
import { handleQueryRequest, QueryProtocolError } from './protocol/query-api.js';
import { openSessionToken } from './sts/session-credentials.js';
import { stsService } from './sts/operations.js';
import { listenStartupError } from './startup-errors.js';

export interface Gatehouse {
  app: FastifyInstance;
  services: ServiceContext;
  /** Where it listens, once `listen` has been called. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOverrides extends ServiceOverrides {
  /** Migrations and the config file's pools and roles were applied already (by `serve --workers`' primary). */
  declaredConfigApplied?: boolean;
  /** In a worker of `serve --workers`: /metrics answers for every worker, summed by the primary (workers.ts). */
  clusterMetrics?: {
    /** Offers this server's registry to the primary's aggregation. */
    share(registry: Registry): void;
    collect(): Promise<{ contentType: string; text: string }>;
  };
}

/** The roles and user pools the config file declares, created or brought up to date. */
export async function applyDeclaredConfig(services: ServiceContext, config: Config): Promise<void> {
  await applyDeclaredRoles(services, config.roles);
  await applyDeclaredPools(requestContext(services, 'bootstrap', config.region), config.userPools);
}

export async function createGatehouse(config: Config, overrides: ServerOverrides = {}): Promise<Gatehouse> {
  // The server's listener is the API listener once everything is registered (below); Fastify's until then.
  let listener: RequestListener | undefined;
  let fastifyHandler: RequestListener | undefined;
  const app = Fastify({
    serverFactory: (handler) => {
      fastifyHandler = handler;
      const server = createServer((req, res) => (listener ?? handler)(req, res));
      // Fastify's defaults for a server it creates itself: 72 s keep-alive, no request or connection timeout.
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    logger: {
      level: config.logLevel,
      // Credentials never reach the log: no headers are logged, and these paths are censored if they ever are.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-amz-security-token"]'],
    },
    genReqId: () => randomUUID(),
    // One line per request is logged in onResponse below, with the operation; Fastify's own two are off.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
  });

  const { services, db, kind, location, rateLimits, setListeningUrl, close: closeDb } = await openServices(config, app.log, overrides);
  try {
    const { repos } = services;
    const contextFor = (requestId: string, region: string, sourceIp?: string): RequestContext => requestContext(services, requestId, region, sourceIp);
    if (!overrides.declaredConfigApplied) await applyDeclaredConfig(services, config);

    warnAboutUnsafeSettings(app, config, kind);
    const metrics = new Metrics();
    // One allowance per client address for every credential check, whichever door it comes through: the
    // JSON API's operations, the token and revocation endpoints, the hosted-UI forms.
    const credentialLimiter = rateLimits.credentials;
    // Hooks on every request take Fastify's callback form: an async hook costs a promise and its
    // microtasks per request, about 4 µs of the three together (npm run bench -- describe).
    // Before CORS, which answers preflights itself: every response, preflights included, has a request id.
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-amzn-RequestId', request.id);
      done();
    });
    // Requests in flight at close() still finish, but their connections must not stay open for keep-alive:
    // closing waits for every connection, so one idle keep-alive client would hold shutdown for the whole
    // keepAliveTimeout (72 s), past most orchestrators' grace period.
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 86400,
    });

    // One log line and the metrics of every request, whether Fastify or the API listener answered it.
    const observe = (served: ServedRequest) => {
      const { requestId, operation, method, url, status, errorType, ms } = served;
      if (operation) metrics.observeCall(operation, status, errorType, ms / 1000);
      else if (method === 'POST' && url === '/') metrics.observeCall('unknown', status, errorType, ms / 1000);
      app.log.info({ reqId: requestId, operation, method, url, status, errorType, ms }, 'request');
    };
    app.addHook('onResponse', (request, reply, done) => {
      const { id, operation, method, url } = request;
      const errorType = reply.getHeader('x-amzn-ErrorType') as string | undefined;
      observe({ requestId: id, operation, method, url, status: reply.statusCode, errorType, ms: Math.round(reply.elapsedTime * 10) / 10 });
      done();
    });

    const jsonApi = createJsonApi<RequestContext>({
      services: [
        { model: userPoolsModel, operations: userPoolOperations },
        { model: identityPoolsModel, operations: identityPoolOperations },
      ],
      requireSignature: config.mode === 'production',
      secretFor: (id) => config.accessKeys.find((k) => k.accessKeyId === id)?.secretAccessKey,
      maxClockSkewSeconds: config.maxClockSkewSeconds,
      defaultRegion: config.region,
      now: services.now,
      createContext: contextFor,
      throttle: credentialThrottle(credentialLimiter),
      log: app.log,
    });
    registerJsonApi(app, jsonApi, (request, reply, raw) =>
      handleQueryRequest(request, reply, raw, {
        services: [stsService, iamService],
        requireSignature: config.mode === 'production',
        secretFor: (id, sessionToken) => secretForQuery(services, id, sessionToken),
        maxClockSkewSeconds: config.maxClockSkewSeconds,
        defaultRegion: config.region,
        now: services.now,
        createContext: (queryRequest, region) => contextFor(queryRequest.id, region, queryRequest.ip),
      }),
    );

    registerWellKnownRoutes(app, services);
    await registerOAuth(app, services, credentialLimiter);
    registerIdentityWellKnownRoutes(app, services);
    await registerImportUploadRoute(app, services);
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (_request, reply) => {
      const ready = await isDatabaseReachable(db);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'database unreachable' });
    });
    const { clusterMetrics } = overrides;
    clusterMetrics?.share(metrics.registry);
    app.get('/metrics', async (_request, reply) => {
      const { contentType, text } = clusterMetrics ? await clusterMetrics.collect() : { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
      return reply.header('content-type', contentType).send(text);
    });
    if (config.mode === 'development') {
      // Wipes every pool, then declares the configured ones again: a clean slate for users' test suites.
      app.post('/_dev/reset', async () => {
        await repos.meta.deleteAllPools();
        await applyDeclaredConfig(services, config);
        return { reset: true };
      });
      // The development mailbox, newest first: how a developer or a test reads a code without mail servers.
      app.get('/_dev/messages', async (request, reply) => {
        const query = request.query as { recipient?: string; poolId?: string; limit?: string };
        if (`${query.recipient ?? ''}${query.poolId ?? ''}`.includes('\u0000')) return reply.code(400).send({ message: 'recipient and poolId must not contain a NUL character.' });
        const limit = Math.min(Math.max(Number(query.limit) || 50, 1), 500);
        const messages = await repos.devMessages.list({ recipient: query.recipient, poolId: query.poolId, limit });
        return { messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) };
      });
    }
    app.addHook('onClose', closeDb);
    await app.ready();
    listener = apiListener({
      api: jsonApi,
      fastify: fastifyHandler!,
      directRoutes: [tokenRoute({ services, limiter: credentialLimiter, trustProxy: config.trustProxy, log: app.log })],
      bodyLimit: config.bodyLimitBytes,
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
      newRequestId: randomUUID,
      observe,
      isClosing: () => closing,
      log: app.log,
    });

    const gatehouse: Gatehouse = {
      app,
      services,
      url: '',
      async listen() {
        const address = await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
          throw listenStartupError(error, config.host, config.port);
        });
        const url = new URL(address);
        if (url.hostname === '127.0.0.1' && config.host === 'localhost') url.hostname = 'localhost';
        gatehouse.url = url.origin;
        setListeningUrl(url.origin);
        app.log.info({ endpoint: gatehouse.url, store: kind, location, mode: config.mode }, 'Gatehouse is listening');
        return gatehouse.url;
      },
      async close() {
        await app.close();
        await closeDb();
      },
    };
    return gatehouse;
  } catch (error) {
    await closeDb();
    throw error;
  }
}

/**
 * The secret behind a query request's access key: temporary credentials carry theirs sealed in the
 * session token (so any node can check them); otherwise one of Gatehouse's own access keys.
 */
function secretForQuery(services: ServiceContext, accessKeyId: string, sessionToken: string | undefined): string | undefined {
  if (sessionToken === undefined) return services.config.accessKeys.find((k) => k.accessKeyId === accessKeyId)?.secretAccessKey;
  const session = openSessionToken(services, sessionToken);
  if (session === 'expired') throw new QueryProtocolError('ExpiredToken', 'The security token included in the request is expired', 403);
  return session !== 'malformed' && session.accessKeyId === accessKeyId ? session.secretAccessKey : undefined;
}

/** The operations that check a password, a code or a refresh token: each is a guess worth limiting. */
const CREDENTIAL_CHECKS = new Set([
  'InitiateAuth',
  'AdminInitiateAuth',
  'RespondToAuthChallenge',
  'AdminRespondToAuthChallenge',
  'GetTokensFromRefreshToken',
  'RevokeToken',
  'ConfirmSignUp',
  'ConfirmForgotPassword',
  'ChangePassword',
  'VerifyUserAttribute',
  'VerifySoftwareToken',
]);

function credentialThrottle(limiter: Allowance): (operation: string, ip: string) => Promise<void> | undefined {
  const refuseWhenSpent = async (ip: string) => {
    if (!(await limiter.take(ip))) throw new TooManyRequestsException('Too many requests from this address. Slow down and try again.');
  };
  // Operations that check no credential get no promise to wait for.
  return (operation, ip) => (CREDENTIAL_CHECKS.has(operation) ? refuseWhenSpent(ip) : undefined);
}

/** Secure defaults, loud exceptions: every unsafe setting is named at start-up. */
function warnAboutUnsafeSettings(app: FastifyInstance, config: Config, kind: string): void {
  if (config.mode === 'development') {
    app.log.warn('development mode: any AWS credentials are accepted, /_dev routes are on, and the server only listens on loopback');
    if (!config.secretsKey) app.log.warn('no secrets key configured: a generated one is stored beside the data it protects');
  } else {
    if (config.accessKeys.length === 0) app.log.warn('production mode without access keys: every signed (admin) operation will be refused');
    if (config.publicUrl?.startsWith('http:')) app.log.warn({ publicUrl: config.publicUrl }, 'the public URL is plain http: tokens will carry an http issuer');
    if (kind === 'sqlite') app.log.warn('production mode on SQLite: set DATABASE_URL to PostgreSQL to run more than one node');
    const sts = config.identityPools?.externalSts?.endpoint;
    if (sts?.startsWith('http:')) app.log.warn({ endpoint: sts }, 'the external STS is plain http: OpenID tokens and the credentials it returns cross the network unencrypted');
  }
  if (config.corsOrigins.includes('*')) app.log.info('CORS allows every origin, as Cognito does; set corsOrigins to narrow it');
}
