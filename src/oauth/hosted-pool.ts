import type { FastifyRequest } from 'fastify';
import { requestContext, type RequestContext, type ServiceContext } from '../context.js';
import type { Allowance } from '../security/rate-limiter.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { issuerOf } from '../userpools/auth/tokens.js';
import { domainAtHost } from '../userpools/domains/domains.js';

/** The pool an OAuth endpoint or hosted-UI page serves, and where the browser sees it. */
export interface HostedPool {
  pool: StoredUserPool;
  /** The context of the request, in the pool's region. */
  ctx: RequestContext;
  /**
   * The path the pool's endpoints and pages live under, as the browser sees it: the issuer's path
   * (`/<poolId>`, after any path of the public URL) or empty at the root of the pool's own domain.
   */
  basePath: string;
  /**
   * The absolute URL the pool's endpoints live under: the issuer, or the origin of the pool's own domain as
   * the request reached it (for the absolute URLs a page or document must give, such as discovery's).
   */
  baseUrl: string;
  /** Cookies get the Secure attribute when the browser reaches us over https. */
  secure: boolean;
  /**
   * Takes one attempt from the client address's allowance for credential checks (passwords, codes, client
   * secrets; the server's one credential limiter, server.ts): false when it is used up.
   */
  allowAttempt: () => boolean | Promise<boolean>;
}

const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

let parsedBase: { url: string; path: string; https: boolean; hostname: string } | undefined;

/** The public URL's path (no trailing slash), scheme and host name, parsed once rather than per request. */
function publicBase(url: string): { path: string; https: boolean; hostname: string } {
  if (parsedBase?.url !== url) {
    const parsed = new URL(url);
    parsedBase = { url, path: parsed.pathname.replace(/\/+$/, ''), https: parsed.protocol === 'https:', hostname: parsed.hostname.toLowerCase() };
  }
  return parsedBase;
}

/** What finding the pool of a request needs of it: Fastify's request has all of it. */
export interface HostedRequest {
  id: string;
  ip: string;
  protocol: string;
}

/**
 * Every pool is served under `<publicUrl>/<poolId>/…`; a pool with a domain is also served at the root of
 * that domain, found by the request's Host (X-Forwarded-Host when `trustProxy` is on): a custom domain at
 * its own name, a prefix domain at `<prefix>.<hostedUiDomain>` when a hosted UI domain is configured.
 */
export async function resolveHostedPool(services: ServiceContext, request: FastifyRequest, limiter: Allowance): Promise<HostedPool | undefined> {
  const { poolId } = (request.params ?? {}) as { poolId?: string };
  const host = request.hostname.toLowerCase();
  if (poolId !== undefined) {
    // A domain is its own pool's alone, as in Cognito: at `/<another pool>/…` there, that pool's pages would
    // show under the domain's name and certificate. The issuer's own host needs no look-up.
    const owner = host && host !== publicBase(services.publicUrl()).hostname ? await domainPoolAt(services, host) : undefined;
    return owner === undefined || owner === poolId ? hostedAtIssuer(services, poolId, request, limiter) : undefined;
  }
  if (!host) return undefined;
  const owner = await domainPoolAt(services, host);
  if (owner === undefined) return undefined;
  const pool = await services.repos.userPools.get(owner);
  if (!pool) return undefined;
  return {
    pool,
    ctx: requestContext(services, request.id, pool.region, request.ip),
    basePath: '',
    baseUrl: `${request.protocol}://${request.host}`,
    secure: request.protocol === 'https',
    allowAttempt: () => limiter.take(request.ip),
  };
}

/** The pool whose domain `host` is, if it is one. */
async function domainPoolAt(services: ServiceContext, host: string): Promise<string | undefined> {
  const wanted = domainAtHost(services.config, host);
  const domain = await services.repos.domains.findByDomain(wanted.domain);
  return domain && domain.kind === wanted.kind ? domain.poolId : undefined;
}

/** The pool at `<publicUrl>/<poolId>`, the issuer's own address; undefined when there is no such pool. */
export async function hostedAtIssuer(services: ServiceContext, poolId: string, request: HostedRequest, limiter: Allowance): Promise<HostedPool | undefined> {
  const pool = POOL_ID.test(poolId) ? await services.repos.userPools.get(poolId) : undefined;
  if (!pool) return undefined;
  const base = publicBase(services.publicUrl());
  return {
    pool,
    ctx: requestContext(services, request.id, pool.region, request.ip),
    basePath: `${base.path}/${pool.id}`,
    baseUrl: issuerOf(services, pool.id),
    secure: base.https || request.protocol === 'https',
    allowAttempt: () => limiter.take(request.ip),
  };
}
