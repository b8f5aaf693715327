import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SamlSignIn } from '../storage/hosted-ui-sessions-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import { newUuid } from '../userpools/users/users.js';
import { issueCode } from './authorization-codes.js';
import type { AuthorizationRequest } from './authorization-request.js';
import type { HostedPool } from './hosted-pool.js';
import { withResponseParameters } from './oauth-errors.js';
import { tokensForUser } from './oauth-tokens.js';
import { startSession } from './session.js';

/**
 * The answer to an authorization request once the user is known: a code in the redirect_uri's query
 * (response_type=code), or the tokens in its fragment (implicit flow, RFC 6749 §4.2.2), with the state.
 */
export async function authorizationResponse(hosted: HostedPool, request: AuthorizationRequest, user: StoredUser, authTime: Date): Promise<string> {
  const state: Record<string, string> = request.state !== undefined ? { state: request.state } : {};
  if (request.responseType === 'code') {
    const code = await issueCode(hosted.ctx, hosted.pool, request, user, authTime);
    return withResponseParameters(request.redirectUri, { code, ...state }, false);
  }
  const tokens = await tokensForUser(
    hosted.ctx,
    {
      pool: hosted.pool,
      client: request.client,
      user,
      authTime,
      originJti: newUuid(hosted.ctx.randomBytes),
      scopes: request.scopes,
      ...(request.nonce !== undefined && { nonce: request.nonce }),
    },
    false,
  );
  const fragment: Record<string, string> = {
    access_token: tokens.access_token,
    ...(tokens.id_token && { id_token: tokens.id_token }),
    token_type: tokens.token_type,
    expires_in: String(tokens.expires_in),
    ...state,
  };
  return withResponseParameters(request.redirectUri, fragment, true);
}

/** A user has just signed in through the pages: a new session (replacing any other), then the client's answer. */
export async function signedIn(
  hosted: HostedPool,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  request: AuthorizationRequest,
  user: StoredUser,
  samlSignIn?: SamlSignIn,
): Promise<FastifyReply> {
  const authTime = hosted.ctx.now();
  await startSession(hosted, httpRequest, reply, user, authTime, samlSignIn);
  return reply.redirect(await authorizationResponse(hosted, request, user, authTime), 302);
}
