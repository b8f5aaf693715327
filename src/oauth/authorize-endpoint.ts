import type { FastifyReply, FastifyRequest } from 'fastify';
import { startFederatedSignIn } from '../federation/federated-sign-in.js';
import { checkAuthorizationRequest, loginRequired, sessionServes } from './authorization-request.js';
import { authorizationResponse } from './complete-authorization.js';
import type { HostedPool } from './hosted-pool.js';
import { pageUrl } from './page-response.js';
import { Params } from './params.js';
import { currentSession } from './session.js';

/**
 * GET /oauth2/authorize: check the request; a live session (and no prompt=login) answers the client at
 * once, without a page; prompt=none without one is login_required; a request for an external provider
 * (identity_provider, idp_identifier, or a client whose only provider it is) goes to that provider;
 * otherwise the sign-in page, with the request's parameters (Cognito's /login).
 */
export async function authorizeEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request), 'choice');
  if (!auth.prompt.has('login')) {
    const session = await currentSession(hosted, request);
    if (session && sessionServes(auth, session.user)) return reply.redirect(await authorizationResponse(hosted, auth, session.user, session.authTime), 302);
  }
  if (auth.prompt.has('none')) throw loginRequired(auth);
  if (auth.identityProvider) return startFederatedSignIn(hosted, reply, auth, auth.identityProvider);
  const providers = auth.client.settings.SupportedIdentityProviders ?? [];
  if (!auth.directory && providers.length === 1) {
    return reply.redirect(pageUrl(hosted, '/oauth2/authorize', auth.query, { identity_provider: providers[0] }), 302);
  }
  return reply.redirect(pageUrl(hosted, '/login', auth.query), 302);
}
