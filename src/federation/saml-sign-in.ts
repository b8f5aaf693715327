import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadAuthorizationRequest, redirectedError } from '../oauth/authorization-request.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import { InvalidRequest } from '../oauth/oauth-errors.js';
import { Params } from '../oauth/params.js';
import { safeEqual } from '../security/safe-equal.js';
import { CANNOT_CONTINUE, NOT_STARTED_HERE, NOT_THIS_SIGN_IN, finishFederatedSignIn, openRelayState, resumedAuthorization, takePending } from './federated-sign-in.js';
import { openedDetails } from './identity-providers.js';
import { ProviderExchangeError, type ProviderClaims } from './oauth-provider-client.js';
import { samlAnswer, serviceProviderOf, uncheckedInResponseTo } from './saml-provider-client.js';
import { CONTINUE_SECONDS, continuationUrl, openContinuation } from './sealed-continuation.js';

/** What the Assertion Consumer Service learnt, sealed for the browser to carry to the continuation. */
interface SamlContinuation {
  provider: string;
  /** The AuthnRequest the response answers: checked against the browser's pending sign-in. */
  inResponseTo: string;
  claims?: ProviderClaims;
  /** Why the response was refused, for the client once the response is known to be for its request. */
  error?: string;
}

const PURPOSE = 'saml-continuation';

/**
 * POST /saml2/idpresponse: the Assertion Consumer Service, where the IdP's page posts its SAMLResponse
 * (HTTP-POST binding). No CSRF token: the form is the IdP's. The post is cross-site, so the browser sends
 * no SameSite=Lax cookie and the pending sign-in cannot be read here. The response is checked (signature,
 * audience, time conditions, issuer), then what it says is sealed for two minutes and the browser sent,
 * with a 303, to a GET of our own, which does carry the cookie.
 */
export async function samlResponseEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = Params.ofForm(request);
  const samlResponse = form.get('SAMLResponse');
  const providerName = openRelayState(hosted, form.get('RelayState'));
  // IdP-initiated sign-in (IDPInit) has no RelayState of ours: not supported.
  if (!samlResponse || !providerName) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the SAML response does not answer a sign-in started here.`);
  const provider = await hosted.ctx.repos.identityProviders.get(hosted.pool.id, providerName);
  if (provider?.providerType !== 'SAML') throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the provider ${providerName} is no longer available.`);

  const now = hosted.ctx.now();
  let continuation: SamlContinuation;
  try {
    const answer = await samlAnswer(provider, openedDetails(hosted.ctx, provider), serviceProviderOf(hosted), samlResponse, now);
    continuation = { provider: providerName, inResponseTo: answer.inResponseTo, claims: answer.claims };
  } catch (error) {
    if (!(error instanceof ProviderExchangeError)) throw error;
    // Refused: told to the client if the response claims to answer its request, else nobody's to hear.
    const inResponseTo = uncheckedInResponseTo(samlResponse);
    if (!inResponseTo) throw new BadAuthorizationRequest(error.message);
    continuation = { provider: providerName, inResponseTo, error: error.message };
  }
  return reply.redirect(continuationUrl(hosted, '/saml2/idpresponse', PURPOSE, continuation), 303);
}

/**
 * GET /saml2/idpresponse?continue=…: the checked SAML response, in the browser that started the sign-in.
 * Its pending sign-in (used up here, so the token is good once) must be for the same provider and its
 * AuthnRequest ID must be the one the response answers; then the sign-in ends as an OIDC one does.
 */
export async function samlContinueEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const continuation = openContinuation<SamlContinuation>(hosted, PURPOSE, Params.ofQuery(request).get('continue'));
  if (!continuation) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the SAML response is not valid or took longer than ${CONTINUE_SECONDS / 60} minutes to reach here. Start again from the app.`);
  const pending = takePending(hosted, request, reply);
  if (!pending) throw new BadAuthorizationRequest(NOT_STARTED_HERE);
  if (pending.protocol !== 'SAML' || pending.provider !== continuation.provider || !safeEqual(pending.requestId, continuation.inResponseTo)) {
    throw new BadAuthorizationRequest(NOT_THIS_SIGN_IN);
  }
  const { auth, provider } = await resumedAuthorization(hosted, pending);
  const claims = continuation.claims;
  if (continuation.error !== undefined || !claims) throw redirectedError(auth, new InvalidRequest(continuation.error ?? 'The SAML response is not valid.'));
  return finishFederatedSignIn(hosted, request, reply, auth, provider, async () => claims);
}
