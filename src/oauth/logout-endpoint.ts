import type { FastifyReply, FastifyRequest } from 'fastify';
import { idpLogoutUrl } from '../federation/saml-logout.js';
import { BadAuthorizationRequest } from './authorization-request.js';
import type { HostedPool } from './hosted-pool.js';
import { pageUrl } from './page-response.js';
import { Params } from './params.js';
import { isRegisteredCallback, isRegisteredSignOut } from './redirect-uris.js';
import { endSession } from './session.js';

/**
 * GET /logout, Cognito's two forms: `client_id` + `logout_uri` (a registered sign-out URL) ends the session
 * and goes there; `client_id` + `redirect_uri` + `response_type` (a registered callback) ends it and shows
 * the sign-in page again. The target is checked before anything else: a bad one goes nowhere.
 */
export async function logoutEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.ofQuery(request);
  const clientId = params.get('client_id');
  const client = clientId !== undefined ? await hosted.ctx.repos.appClients.get(hosted.pool.id, clientId) : undefined;
  if (!client) throw new BadAuthorizationRequest('The sign-out request names no app client of this user pool (client_id).');
  const logoutUri = params.get('logout_uri');
  const redirectUri = params.get('redirect_uri');
  if (logoutUri !== undefined) {
    if (!isRegisteredSignOut(client, logoutUri)) throw new BadAuthorizationRequest('The logout_uri is not one of the app client’s registered sign-out URLs.');
    const ended = await endSession(hosted, request, reply);
    return reply.redirect((await idpLogoutUrl(hosted, ended, logoutUri)) ?? logoutUri, 302);
  }
  if (redirectUri !== undefined && params.get('response_type') !== undefined) {
    if (!isRegisteredCallback(client, redirectUri)) throw new BadAuthorizationRequest('The redirect_uri is not one of the app client’s registered callback URLs.');
    const ended = await endSession(hosted, request, reply);
    const query = new URLSearchParams(params.entries(['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'nonce']));
    const signIn = pageUrl(hosted, '/login', query.toString());
    return reply.redirect((await idpLogoutUrl(hosted, ended, signIn)) ?? signIn, 302);
  }
  throw new BadAuthorizationRequest('A sign-out request needs logout_uri, or redirect_uri and response_type.');
}
