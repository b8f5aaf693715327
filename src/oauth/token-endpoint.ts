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

/**
 * POST /oauth2/token (RFC 6749 §3.2): authenticate the client, then the grant it asks for. Both check
 * credentials (a client secret; a code, its PKCE verifier, a refresh token): authenticateClient takes one
 * attempt from the client address's allowance, the same one the API's sign-in operations use.
 */
export async function tokenEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = Params.ofForm(request);
  const client = await authenticateClient(hosted, request, form);
  const grantType = form.require('grant_type');
  let tokens: TokenResponse;
  switch (grantType) {
    case 'authorization_code':
      requireFlow(client, 'code');
      tokens = await redeemCode(hosted.ctx, hosted.pool, client, {
        code: form.require('code'),
        redirectUri: form.get('redirect_uri'),
        codeVerifier: form.get('code_verifier'),
      });
      break;
    case 'refresh_token':
      tokens = await refresh(hosted, client, form.require('refresh_token'));
      break;
    case 'client_credentials':
      requireFlow(client, 'client_credentials');
      tokens = await tokenForClient(hosted.ctx, hosted.pool, client, await grantScopes(hosted.ctx, client, parseScope(form.get('scope')), 'client_credentials'));
      break;
    default:
      throw new UnsupportedGrantType('grant_type must be authorization_code, refresh_token or client_credentials.');
  }
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(tokens);
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
