/**
 * The token authorizer of a user pool (API Gateway's "Cognito user pool authorizer"): a Gatehouse ID or
 * access token in `Authorization` (bare or `Bearer …`), verified against the pool's JWKS — fetched over
 * HTTP from the issuer and cached, so it runs in any process that can reach Gatehouse — then its
 * token_use, app client and scopes checked.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isKeySetFailure } from '../security/key-set-failure.js';
import { headerValue, refuse, type AuthorizerDecision, type AuthorizerRequest } from './decision.js';

export interface UserPoolAuthorizerOptions {
  /** The pool's issuer: `<Gatehouse public URL>/<pool id>`. */
  issuer: string;
  /** Where the keys are; default `<issuer>/.well-known/jwks.json`. */
  jwksUri?: string;
  /** App clients whose tokens are accepted (`aud` of ID tokens, `client_id` of access tokens); any when left out. */
  clientIds?: readonly string[];
  /** Accept only ID or only access tokens; both when left out (access only when scopes are required). */
  tokenUse?: 'id' | 'access';
  /** Scopes the access token must carry. */
  requiredScopes?: readonly string[];
  /** `all` (default): every required scope; `any`: at least one, as API Gateway's authorization scopes. */
  scopeMatch?: 'all' | 'any';
  /** The clock (tests inject one). */
  now?: () => Date;
  /** Leeway for exp/iat, in seconds (default 0, as Cognito). */
  clockToleranceSeconds?: number;
  /** Keys to verify with instead of fetching jwksUri. */
  keys?: JWTVerifyGetKey;
  /** How long fetched keys are kept (default 10 minutes); an unknown kid refetches at most every 30 s. */
  jwksCacheMaxAgeMs?: number;
}

export interface UserPoolPrincipal {
  sub: string;
  tokenUse: 'id' | 'access';
  clientId: string | undefined;
  username: string | undefined;
  scopes: string[];
  groups: string[];
  claims: JWTPayload & Record<string, unknown>;
}

export type UserPoolAuthorizer = (request: Pick<AuthorizerRequest, 'headers'>) => Promise<AuthorizerDecision<UserPoolPrincipal>>;

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The token of an `Authorization` header: `Bearer <jwt>` or, as API Gateway accepts it, the bare JWT. */
export function bearerToken(headers: AuthorizerRequest['headers']): string | undefined {
  const header = headerValue(headers, 'authorization')?.trim();
  if (!header) return undefined;
  const token = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header;
  return JWT.test(token) ? token : undefined;
}

/**
 * Why `options` can admit no token at all, if they cannot: ID tokens carry no scopes, so requiring scopes
 * of ID tokens only refuses everything. Said when the authorizer is made (and when a gateway's route table
 * is loaded), not discovered from a stream of 401s.
 */
export function contradictionIn(options: Pick<UserPoolAuthorizerOptions, 'tokenUse' | 'requiredScopes'>): string | undefined {
  if (options.tokenUse === 'id' && (options.requiredScopes?.length ?? 0) > 0) {
    return "tokenUse 'id' with requiredScopes admits no token: ID tokens carry no scopes. Require access tokens (tokenUse 'access' or none) or drop requiredScopes.";
  }
  return undefined;
}

export function createUserPoolAuthorizer(options: UserPoolAuthorizerOptions): UserPoolAuthorizer {
  const contradiction = contradictionIn(options);
  if (contradiction) throw new TypeError(contradiction);
  const issuer = options.issuer.replace(/\/+$/, '');
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUri ?? `${issuer}/.well-known/jwks.json`), {
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      cooldownDuration: 30_000,
    });
  const clientIds = options.clientIds && options.clientIds.length > 0 ? new Set(options.clientIds) : undefined;
  const requiredScopes = options.requiredScopes ?? [];
  const scopeChallenge = requiredScopes.length > 0 ? `, scope="${requiredScopes.join(' ')}"` : '';
  const invalid = (message: string) => refuse(401, 'Unauthorized', message, `Bearer error="invalid_token", error_description="${message}"`);

  return async (request) => {
    const token = bearerToken(request.headers);
    if (token === undefined) return refuse(401, 'Unauthorized', 'A bearer token is required.', `Bearer${scopeChallenge ? ` ${scopeChallenge.slice(2)}` : ''}`);
    let claims: UserPoolPrincipal['claims'];
    try {
      const verified = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        issuer,
        ...(options.now && { currentDate: options.now() }),
        ...(options.clockToleranceSeconds && { clockTolerance: options.clockToleranceSeconds }),
      });
      claims = verified.payload as UserPoolPrincipal['claims'];
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return invalid('The token has expired.');
      // Keys that cannot be fetched are the authorizer's fault, not the caller's: let the adapter answer 5xx.
      if (!(error instanceof joseErrors.JOSEError) || isKeySetFailure(error)) throw error;
      return invalid('The token is not valid.');
    }

    const use = claims.token_use;
    if (use !== 'id' && use !== 'access') return invalid('The token is neither an ID nor an access token.');
    if (options.tokenUse && use !== options.tokenUse) return invalid(`An ${options.tokenUse === 'id' ? 'ID' : 'access'} token is required.`);
    if (requiredScopes.length > 0 && use !== 'access') return invalid('An access token is required.');
    const clientId = use === 'id' ? (typeof claims.aud === 'string' ? claims.aud : claims.aud?.[0]) : (claims.client_id as string | undefined);
    if (clientIds && (clientId === undefined || !clientIds.has(clientId))) return invalid('The token was not issued to an app client of this API.');

    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (requiredScopes.length > 0) {
      const held = new Set(scopes);
      const ok = options.scopeMatch === 'any' ? requiredScopes.some((s) => held.has(s)) : requiredScopes.every((s) => held.has(s));
      if (!ok) {
        return refuse(403, 'InsufficientScope', `The token lacks the scope this route requires (${requiredScopes.join(' ')}).`, `Bearer error="insufficient_scope"${scopeChallenge}`);
      }
    }
    const sub = String(claims.sub);
    const username = (use === 'id' ? claims['cognito:username'] : claims.username) as string | undefined;
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
    return { allowed: true, principalId: sub, principal: { sub, tokenUse: use, clientId, username, scopes, groups, claims } };
  };
}
