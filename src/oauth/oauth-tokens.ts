import { createHash } from 'node:crypto';
import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { preTokenGenerationForClient } from '../triggers/pre-token-generation.js';
import { issuerOf, mintRefreshToken, mintTokens, validitySeconds, type SignIn } from '../userpools/auth/tokens.js';
import { newUuid } from '../userpools/users/users.js';
import { OPENID } from './scopes.js';

/** The token endpoint's answer (RFC 6749 §5.1), and what the implicit flow puts in the fragment. */
export interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** A user's OAuth sign-in: when they authenticated, which origin_jti its tokens share, what was granted. */
export interface UserGrant {
  pool: StoredUserPool;
  client: StoredAppClient;
  user: StoredUser;
  authTime: Date;
  originJti: string;
  scopes: string[];
  nonce?: string;
}

/** OpenID Connect Core §3.1.3.6: the left half of the access token's SHA-256, base64url. */
function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

/**
 * Tokens for a user's OAuth sign-in: the access token carries the granted scopes; an ID token only with
 * `openid`, with the request's nonce and at_hash. With `refresh`, a refresh token that keeps the scopes;
 * without (implicit flow), the sign-in is still recorded, so its tokens can be revoked.
 */
export async function tokensForUser(ctx: ServiceContext, grant: UserGrant, refresh: boolean): Promise<TokenResponse> {
  const signIn: SignIn = {
    pool: grant.pool,
    client: grant.client,
    user: grant.user,
    authTime: grant.authTime,
    originJti: grant.originJti,
    scopes: grant.scopes,
    source: 'HostedAuth',
  };
  // OpenID Connect adds to the ID token the request's nonce and at_hash, the hash of its access token.
  const minted = await mintTokens(
    ctx,
    signIn,
    grant.scopes.includes(OPENID) && ((accessToken) => ({ at_hash: accessTokenHash(accessToken), ...(grant.nonce !== undefined && { nonce: grant.nonce }) })),
  );
  let refreshToken: string | undefined;
  if (refresh) {
    refreshToken = await mintRefreshToken(ctx, signIn);
  } else {
    const now = ctx.now();
    await ctx.repos.refreshTokens.recordOrigin({
      poolId: grant.pool.id,
      originJti: grant.originJti,
      clientId: grant.client.clientId,
      usernameKey: grant.user.usernameKey,
      scopes: grant.scopes,
      authTime: grant.authTime,
      createdAt: now,
      expiresAt: new Date(now.getTime() + Math.max(validitySeconds(grant.client, 'AccessToken'), validitySeconds(grant.client, 'IdToken')) * 1000),
    });
  }
  return {
    access_token: minted.AccessToken,
    ...(minted.IdToken && { id_token: minted.IdToken }),
    ...(refreshToken && { refresh_token: refreshToken }),
    token_type: 'Bearer',
    expires_in: minted.ExpiresIn,
  };
}

/**
 * client_credentials (machine to machine): an access token only, naming the client as its subject, with
 * resource-server scopes, and Cognito's claims for it (no origin_jti). Nothing is stored: no refresh token
 * comes with it to revoke, and its scopes never reach the operations that check revocation (the
 * self-service API needs aws.cognito.signin.user.admin, userInfo needs openid) — a write per token that
 * nothing would read, and half of the endpoint's cost.
 */
export async function tokenForClient(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, scopes: string[]): Promise<TokenResponse> {
  const now = ctx.now();
  const iat = Math.floor(now.getTime() / 1000);
  const expiresIn = validitySeconds(client, 'AccessToken');
  const customising = preTokenGenerationForClient(ctx, pool, client, scopes);
  const custom = customising && (await customising);
  const claims = {
    sub: client.clientId,
    token_use: 'access',
    scope: (custom ? custom.scopes(scopes) : scopes).join(' '),
    auth_time: iat,
    iss: issuerOf(ctx, pool.id),
    exp: iat + expiresIn,
    iat,
    version: 2,
    jti: newUuid(ctx.randomBytes),
    client_id: client.clientId,
  };
  const accessToken = await ctx.keys.sign(pool.id, custom ? custom.accessToken(claims) : claims);
  return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
}
