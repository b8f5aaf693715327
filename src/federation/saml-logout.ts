import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadAuthorizationRequest } from '../oauth/authorization-request.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import { Params } from '../oauth/params.js';
import type { StoredHostedUiSession } from '../storage/hosted-ui-sessions-repository.js';
import { openedDetails } from './identity-providers.js';
import { ProviderExchangeError } from './oauth-provider-client.js';
import { checkLogoutResponse, samlLogoutUrl, samlRequestId, serviceProviderOf, type LogoutResponseBinding } from './saml-provider-client.js';
import { keepForBrowser, newKeptId, readKept } from './sealed-continuation.js';

const PURPOSE = 'saml-logout';
/** How long the IdP has to sign the person out and send the browser back. */
const LOGOUT_SECONDS = 600;

/** Kept under the LogoutRequest's RelayState (keepForBrowser): whose answer to expect, and where the sign-out ends. */
interface PendingLogout {
  provider: string;
  requestId: string;
  then: string;
}

const CANNOT_FINISH = 'The sign-out at the identity provider cannot be finished';

/**
 * Single logout (IDPSignout): once /logout has ended a session that began with a sign-in through a SAML
 * provider whose IDPSignout is true, the browser goes on to the IdP's SingleLogoutService with our
 * LogoutRequest, to end the session there too, and comes back to /saml2/logout; `then` is where the
 * sign-out ends after that. Undefined when none of this applies (another kind of session, IDPSignout off, no
 * SingleLogoutService in the metadata, metadata that cannot be read): the sign-out ends here, as it would.
 */
export async function idpLogoutUrl(hosted: HostedPool, ended: StoredHostedUiSession | undefined, then: string): Promise<string | undefined> {
  const signIn = ended?.samlSignIn;
  if (!signIn) return undefined;
  const { ctx, pool } = hosted;
  const provider = await ctx.repos.identityProviders.get(pool.id, signIn.provider);
  if (provider?.providerType !== 'SAML') return undefined;
  const details = openedDetails(ctx, provider);
  if (details.IDPSignout !== 'true') return undefined;
  const requestId = samlRequestId(ctx);
  const pending: PendingLogout = { provider: provider.providerName, requestId, then };
  const relayState = newKeptId(hosted);
  let url: URL | undefined;
  try {
    url = await samlLogoutUrl(ctx, provider, details, serviceProviderOf(hosted), signIn, requestId, relayState);
  } catch (error) {
    if (error instanceof ProviderExchangeError) return undefined;
    throw error;
  }
  // Kept only for a LogoutRequest that is sent: without a SingleLogoutService there is no answer to wait for.
  if (url) await keepForBrowser(hosted, PURPOSE, pending, LOGOUT_SECONDS, relayState);
  return url?.href;
}

/**
 * /saml2/logout: the IdP's LogoutResponse, Cognito's single logout endpoint, by the HTTP-POST binding (as
 * Cognito's guide asks of IdPs) or the HTTP-Redirect one. It must answer the LogoutRequest our RelayState
 * names (checkLogoutResponse); then the browser goes where the sign-out was to end (a registered logout_uri,
 * or the sign-in page). The session here ended before the browser left, whatever the IdP answers.
 */
export async function samlLogoutEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const posted = request.method === 'POST';
  const params = posted ? Params.ofForm(request) : Params.ofQuery(request);
  const kept = await readKept<PendingLogout>(hosted, PURPOSE, params.get('RelayState'));
  if (!kept) throw new BadAuthorizationRequest(`${CANNOT_FINISH}: the answer is not for a sign-out started here, was used already, or took longer than ${LOGOUT_SECONDS / 60} minutes. You are signed out of this app.`);
  const pending = kept.value;
  const provider = await hosted.ctx.repos.identityProviders.get(hosted.pool.id, pending.provider);
  if (provider?.providerType !== 'SAML') throw new BadAuthorizationRequest(`${CANNOT_FINISH}: the provider ${pending.provider} is no longer available. You are signed out of this app.`);
  const binding: LogoutResponseBinding = posted
    ? { kind: 'post', samlResponse: params.get('SAMLResponse') ?? '' }
    : { kind: 'redirect', query: Object.fromEntries(params.entries(['SAMLResponse', 'RelayState', 'SigAlg', 'Signature'])), rawQuery: request.url.slice(request.url.indexOf('?') + 1) };
  try {
    await checkLogoutResponse(provider, openedDetails(hosted.ctx, provider), serviceProviderOf(hosted), binding, pending.requestId, hosted.ctx.now());
  } catch (error) {
    if (error instanceof ProviderExchangeError) throw new BadAuthorizationRequest(`${CANNOT_FINISH}: ${error.message} You are signed out of this app.`);
    throw error;
  }
  if (!(await kept.take())) throw new BadAuthorizationRequest(`${CANNOT_FINISH}: the answer was used already. You are signed out of this app.`);
  return reply.redirect(pending.then, posted ? 303 : 302);
}
