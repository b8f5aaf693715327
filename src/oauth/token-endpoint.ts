import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../protocol/errors.js';
import { liveRefreshToken, refreshSignIn } from '../userpools/auth/refresh.js';
import { redeemCode } from './authorization-codes.js';
import { authenticateClient } from './client-authentication.js';
import type { HostedPool } from './hosted-pool.js';
import { InvalidGrant, UnauthorizedClient, UnsupportedGrantType } from './oauth-errors.js';
import { tokenForClient, type TokenResponse } from './oauth-tokens.js';
import { Params } from './params.js';
import { OPENID, grantScopes, parseScope } from './scopes.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';

/** A token answer is never cached (RFC 6749 §5.1). */
export const TOKEN_ANSWER_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** POST /oauth2/token on Fastify: the pool's domain, and every request the direct route (token-route.ts) does not take. */
export async function tokenEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const tokens = await grantTokens(hosted, request.headers.authorization, Params.ofForm(request));
  return reply.headers(TOKEN_ANSWER_HEADERS).send(tokens);
}

/**
 * The token endpoint (RFC 6749 §3.2): authenticate the client, then the grant it asks for. Both check
 * credentials (a client secret; a code, its PKCE verifier, a refresh token): authenticateClient takes one
 * attempt from the client address's allowance, the same one the API's sign-in operations use.
 */
export async function grantTokens(hosted: HostedPool, authorization: string | undefined, form: Params): Promise<TokenResponse> {
  const client = await authenticateClient(hosted, authorization, form);
  const grantType = form.require('grant_type');
  switch (grantType) {
    case 'authorization_code':
      requireFlow(client, 'code');
      return redeemCode(hosted.ctx, hosted.pool, client, {
        code: form.require('code'),
        redirectUri: form.get('redirect_uri'),
        codeVerifier: form.get('code_verifier'),
      });
    case 'refresh_token':
      return refresh(hosted, client, form.require('refresh_token'));
    case 'client_credentials':
      requireFlow(client, 'client_credentials');
      return tokenForClient(hosted.ctx, hosted.pool, client, await grantScopes(hosted.ctx, client, parseScope(form.get('scope')), 'client_credentials'));
    default:
      throw new UnsupportedGrantType('grant_type must be authorization_code, refresh_token or client_credentials.');
  }
}

function requireFlow(client: StoredAppClient, flow: 'code' | 'client_credentials'): void {
  if (!client.settings.AllowedOAuthFlowsUserPoolClient || !(client.settings.AllowedOAuthFlows ?? []).includes(flow)) {
    throw new UnauthorizedClient(`The client may not use the ${flow === 'code' ? 'authorization_code' : flow} grant.`);
  }
}

/**
 * grant_type=refresh_token: new ID and access tokens with the sign-in's own scopes (an ID token only when
 * they include openid, or for an API sign-in, which has none recorded); a new refresh token only when the
 * client rotates them.
 */
async function refresh(hosted: HostedPool, client: StoredAppClient, token: string): Promise<TokenResponse> {
  let result;
  try {
    const live = await liveRefreshToken(hosted.ctx, hosted.pool, client, token);
    const openid = live.stored.scopes === undefined || live.stored.scopes.includes(OPENID);
    result = await refreshSignIn(hosted.ctx, hosted.pool, client, live, client.settings.RefreshTokenRotation?.Feature === 'ENABLED', openid);
  } catch (error) {
    // "Invalid Refresh Token", "Refresh Token has been revoked", "User is disabled.", …: the API's words.
    if (error instanceof ServiceError) throw new InvalidGrant(error.message);
    throw error;
  }
  return {
    access_token: result.AccessToken!,
    ...(result.IdToken && { id_token: result.IdToken }),
    ...(result.RefreshToken && { refresh_token: result.RefreshToken }),
    token_type: 'Bearer',
    expires_in: result.ExpiresIn!,
  };
}
