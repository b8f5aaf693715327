import type { AuthenticationResultType, TimeUnitsType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ExpiredTokenError, NotAuthorizedException } from '../../protocol/errors.js';
import { checkJwsClaims, decodeJws, JwsExpiredError, type JwsClaims } from '../../security/jws.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { preTokenGeneration, type TokenSource } from '../../triggers/pre-token-generation.js';
import { newUuid } from '../users/users.js';

const SECONDS: Record<TimeUnitsType, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** One sign-in: who, through which client, and when it began (auth_time survives refreshes). */
export interface SignIn {
  pool: StoredUserPool;
  client: StoredAppClient;
  user: StoredUser;
  authTime: Date;
  /** The jti of the sign-in's first tokens; every token of the sign-in carries it, and revocation targets it. */
  originJti: string;
  deviceKey?: string;
  /** OAuth scopes; API sign-ins get aws.cognito.signin.user.admin only. */
  scopes?: string[];
  /** What the tokens are for, as the pre token generation function hears it; Authentication by default. */
  source?: TokenSource;
}

export function issuerOf(ctx: ServiceContext, poolId: string): string {
  return `${ctx.publicUrl()}/${poolId}`;
}

export function validitySeconds(client: StoredAppClient, token: 'AccessToken' | 'IdToken' | 'RefreshToken'): number {
  const units = client.settings.TokenValidityUnits ?? {};
  const value = client.settings[`${token}Validity`] ?? (token === 'RefreshToken' ? 30 : 1);
  const unit = units[token] ?? (token === 'RefreshToken' ? 'days' : 'hours');
  return value * SECONDS[unit];
}

/**
 * The attributes an app client may read (all when `readable` is unset) as claims, typed as Cognito types
 * them in the ID token: the ID token's and userInfo's.
 */
export function attributeClaims(readable: string[] | undefined, user: StoredUser): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === 'sub' || name.startsWith('dev:') || (readable && !readable.includes(name))) continue;
    if (name === 'email_verified' || name === 'phone_number_verified') claims[name] = value === 'true';
    else if (name === 'updated_at') claims[name] = Number(value);
    else if (name === 'identities') claims[name] = safeJson(value);
    else claims[name] = value;
  }
  return claims;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Group claims: names, role ARNs, and the role of the group with the lowest precedence. */
async function groupClaims(ctx: ServiceContext, signIn: SignIn): Promise<Record<string, unknown>> {
  const groups = await ctx.repos.groups.groupsOf(signIn.pool.id, signIn.user.usernameKey, 100);
  if (groups.length === 0) return {};
  const withRoles = groups.filter((g) => g.roleArn);
  const preferred = [...withRoles].sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity))[0];
  return {
    'cognito:groups': groups.map((g) => g.groupName),
    ...(withRoles.length > 0 && { 'cognito:roles': withRoles.map((g) => g.roleArn) }),
    ...(preferred && { 'cognito:preferred_role': preferred.roleArn }),
  };
}

/**
 * New access and ID tokens for a sign-in. `idToken`: true for an ID token (signed beside the access
 * token), false for none (an OAuth grant without openid: a signature is a quarter of a millisecond), or a
 * function giving claims that depend on the access token (OpenID Connect's at_hash, the request's nonce),
 * the ID token then signed after it.
 */
export async function mintTokens(
  ctx: ServiceContext,
  signIn: SignIn,
  idToken: boolean | ((accessToken: string) => JwsClaims) = true,
): Promise<{ IdToken?: string; AccessToken: string; ExpiresIn: number }> {
  const { pool, client, user } = signIn;
  const iat = Math.floor(ctx.now().getTime() / 1000);
  const groups = await groupClaims(ctx, signIn);
  const customising = preTokenGeneration(ctx, signIn, groups, signIn.source ?? 'Authentication');
  const custom = customising && (await customising);
  const common = {
    sub: user.sub,
    iss: issuerOf(ctx, pool.id),
    origin_jti: signIn.originJti,
    event_id: newUuid(ctx.randomBytes),
    auth_time: Math.floor(signIn.authTime.getTime() / 1000),
    iat,
    ...(custom?.groups ?? groups),
  };
  const accessSeconds = validitySeconds(client, 'AccessToken');
  const scopes = signIn.scopes ?? ['aws.cognito.signin.user.admin'];
  const baseIdClaims = {
    ...common,
    ...attributeClaims(client.settings.ReadAttributes, user),
    aud: client.clientId,
    'cognito:username': user.username,
    token_use: 'id',
    exp: iat + validitySeconds(client, 'IdToken'),
    jti: newUuid(ctx.randomBytes),
  };
  const idClaims = custom ? custom.idToken(baseIdClaims) : baseIdClaims;
  const accessClaims = {
    ...common,
    client_id: client.clientId,
    token_use: 'access',
    scope: (custom ? custom.scopes(scopes) : scopes).join(' '),
    username: user.username,
    ...(signIn.deviceKey && { device_key: signIn.deviceKey }),
    exp: iat + accessSeconds,
    jti: newUuid(ctx.randomBytes),
  };
  const accessToken = ctx.keys.sign(pool.id, custom ? custom.accessToken(accessClaims) : accessClaims);
  if (idToken === false) return { AccessToken: await accessToken, ExpiresIn: accessSeconds };
  const signedId =
    typeof idToken === 'function'
      ? accessToken.then((token) => ctx.keys.sign(pool.id, { ...idClaims, ...idToken(token) }))
      : ctx.keys.sign(pool.id, idClaims);
  const [IdToken, AccessToken] = await Promise.all([signedId, accessToken]);
  return { IdToken, AccessToken, ExpiresIn: accessSeconds };
}

/**
 * A new opaque refresh token for the sign-in; only its keyed hash is stored. A rotated-in token keeps the
 * expiry of the one it replaces (`expiresAt`): rotation renews the token, never the sign-in's lifetime.
 */
export async function mintRefreshToken(ctx: ServiceContext, signIn: SignIn, expiresAt?: Date): Promise<string> {
  const token = ctx.randomBytes(48).toString('base64url');
  const now = ctx.now();
  await ctx.repos.refreshTokens.insert({
    poolId: signIn.pool.id,
    tokenHash: refreshTokenHash(ctx, token),
    clientId: signIn.client.clientId,
    usernameKey: signIn.user.usernameKey,
    originJti: signIn.originJti,
    ...(signIn.deviceKey && { deviceKey: signIn.deviceKey }),
    ...(signIn.scopes && { scopes: signIn.scopes }),
    authTime: signIn.authTime,
    createdAt: now,
    expiresAt: expiresAt ?? new Date(now.getTime() + validitySeconds(signIn.client, 'RefreshToken') * 1000),
  });
  return token;
}

export function refreshTokenHash(ctx: ServiceContext, token: string): string {
  return ctx.secrets.mac(`refresh-token:${token}`);
}

/** A completed sign-in: ID, access and refresh tokens, as AuthenticationResult. */
export async function completeSignIn(ctx: ServiceContext, signIn: Omit<SignIn, 'originJti' | 'authTime'>): Promise<AuthenticationResultType> {
  const full: SignIn = { ...signIn, originJti: newUuid(ctx.randomBytes), authTime: ctx.now() };
  const RefreshToken = await mintRefreshToken(ctx, full);
  return { ...(await mintTokens(ctx, full)), RefreshToken, TokenType: 'Bearer' };
}

export interface VerifiedToken {
  poolId: string;
  claims: JwsClaims;
}

/**
 * Verifies one of this installation's JWTs: issuer, RS256 signature with the pool's key, expiry and
 * token_use. A token verified before is recalled (SigningKeys.recall) and only its claims checked again.
 * Any failure is NotAuthorizedException, with Cognito's wording.
 */
export async function verifyToken(ctx: ServiceContext, token: string, use: 'access' | 'id'): Promise<VerifiedToken> {
  const label = use === 'access' ? 'Access Token' : 'Id Token';
  try {
    const recalled = await ctx.keys.recall(token);
    const verified = recalled
      ? { poolId: recalled.poolId, claims: checkJwsClaims(recalled.claims, { issuer: issuerOf(ctx, recalled.poolId), now: ctx.now() }) }
      : await verifyAfresh(ctx, token);
    if (verified.claims.token_use !== use) throw new Error('token_use');
    return verified;
  } catch (error) {
    if (error instanceof JwsExpiredError) throw new ExpiredTokenError(`${label} has expired`);
    throw new NotAuthorizedException(`Invalid ${label}`);
  }
}

/** A token not seen before: decoded, its issuer naming one of our pools, its signature checked. */
async function verifyAfresh(ctx: ServiceContext, token: string): Promise<VerifiedToken> {
  const jws = decodeJws(token);
  const iss = typeof jws.claims.iss === 'string' ? jws.claims.iss : '';
  const poolId = iss.slice(iss.lastIndexOf('/') + 1);
  if (iss !== issuerOf(ctx, poolId)) throw new Error('issuer');
  return { poolId, claims: await ctx.keys.verify(poolId, jws, iss, token) };
}
