import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkAuthorizationRequest, loginRequired } from './authorization-request.js';
import { authorizationResponse } from './complete-authorization.js';
import type { HostedPool } from './hosted-pool.js';
import { pageUrl } from './page-response.js';
import { Params } from './params.js';
import { currentSession } from './session.js';

/**
 * GET /oauth2/authorize: check the request; a live session (and no prompt=login) answers the client at
 * once, without a page; prompt=none without one is login_required; otherwise the sign-in page, with the
 * request's parameters (Cognito's /login).
 */
export async function authorizeEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  if (!auth.prompt.has('login')) {
    const session = await currentSession(hosted, request);
    if (session) return reply.redirect(await authorizationResponse(hosted, auth, session.user, session.authTime), 302);
  }
  if (auth.prompt.has('none')) throw loginRequired(auth);
  return reply.redirect(pageUrl(hosted, '/login', auth.query), 302);
}
