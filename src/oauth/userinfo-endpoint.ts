import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../protocol/errors.js';
import type { StoredUser } from '../storage/users-repository.js';
import { liveTokenUser } from '../userpools/auth/access-token.js';
import { attributeClaims, verifyToken } from '../userpools/auth/tokens.js';
import type { HostedPool } from './hosted-pool.js';
import { InsufficientScope, InvalidRequest, InvalidToken } from './oauth-errors.js';
import { OPENID } from './scopes.js';

const PROFILE = new Set([
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
]);

/** RFC 6750 §2.1 (Authorization: Bearer) or, on POST, §2.2 (access_token in the form body); not both. */
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const body = request.method === 'POST' && request.body && typeof request.body === 'object' && !Buffer.isBuffer(request.body) ? (request.body as Record<string, unknown>) : {};
  const fromBody = typeof body.access_token === 'string' ? body.access_token : undefined;
  const fromHeader = header && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  if (fromHeader && fromBody) throw new InvalidRequest('Send the access token once: in the Authorization header or in the body.');
  const token = fromHeader ?? fromBody;
  if (!token) throw new InvalidRequest('The request has no access token (Authorization: Bearer).');
  return token;
}

/**
 * Which attributes a token's scopes release, as Cognito's userInfo documents: `openid` alone, every
 * attribute the client may read; otherwise `profile` the profile attributes and custom ones, `email`
 * email and email_verified, `phone` phone_number and phone_number_verified.
 */
function releasedBy(scopes: string[]): (name: string) => boolean {
  const narrowing = scopes.filter((s) => s === 'profile' || s === 'email' || s === 'phone');
  if (narrowing.length === 0) return () => true;
  return (name) =>
    (scopes.includes('profile') && (PROFILE.has(name) || name.startsWith('custom:'))) ||
    (scopes.includes('email') && (name === 'email' || name === 'email_verified')) ||
    (scopes.includes('phone') && (name === 'phone_number' || name === 'phone_number_verified'));
}

/** GET|POST /oauth2/userInfo (OpenID Connect Core §5.3): the user's claims, for an access token with openid. */
export async function userInfoEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { ctx, pool } = hosted;
  const token = bearerToken(request);
  let claims, scopes: string[], user: StoredUser;
  // The API's refusals (a bad signature, expiry, revocation, a disabled user) become RFC 6750's invalid_token;
  // InsufficientScope is an OAuth error already and passes through.
  try {
    const verified = await verifyToken(ctx, token, 'access');
    if (verified.poolId !== pool.id) throw new InvalidToken('The access token is not from this user pool.');
    claims = verified.claims;
    scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.includes(OPENID)) throw new InsufficientScope('The access token does not have the openid scope.');
    user = await liveTokenUser(ctx, pool, claims);
  } catch (error) {
    if (error instanceof ServiceError) throw new InvalidToken(error.message);
    throw error;
  }
  const client = typeof claims.client_id === 'string' ? await ctx.repos.appClients.get(pool.id, claims.client_id) : undefined;
  return reply.header('cache-control', 'no-store').send(userClaims(user, scopes, client?.settings.ReadAttributes));
}

/** The claims the ID token would carry (verified flags as booleans: OIDC says boolean), narrowed by the scopes. */
function userClaims(user: StoredUser, scopes: string[], readable: string[] | undefined): Record<string, unknown> {
  const released = releasedBy(scopes);
  const claims = Object.entries(attributeClaims(readable, user)).filter(([name]) => released(name));
  return { sub: user.sub, ...Object.fromEntries(claims), username: user.username };
}
