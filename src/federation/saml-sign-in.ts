import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadAuthorizationRequest, checkAuthorizationRequest, redirectedError } from '../oauth/authorization-request.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import { InvalidRequest } from '../oauth/oauth-errors.js';
import { Params, parseForm } from '../oauth/params.js';
import { safeEqual } from '../security/safe-equal.js';
import { CANNOT_CONTINUE, NOT_STARTED_HERE, NOT_THIS_SIGN_IN, finishFederatedSignIn, resumedAuthorization, takePending } from './federated-sign-in.js';
import { idpInitiationRefusal, openedDetails } from './identity-providers.js';
import { ProviderExchangeError, type ProviderClaims } from './oauth-provider-client.js';
import { isSamlRequestId, samlAnswer, serviceProviderOf, uncheckedInResponseTo, UNSOLICITED_ASSERTION_MS, type SamlAnswer } from './saml-provider-client.js';
import { providerOfRelayState } from './saml-relay-state.js';
import { CONTINUE_SECONDS, continuationUrl, keptContinuationUrl, readContinuation } from './sealed-continuation.js';

/** What the Assertion Consumer Service learnt, kept for the continuation in the browser that started the sign-in. */
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
 * audience, time conditions, issuer), then what it says is kept for two minutes and the browser sent,
 * with a 303, to a GET of our own, which does carry the cookie.
 */
export async function samlResponseEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = Params.ofForm(request);
  const samlResponse = form.get('SAMLResponse');
  if (!samlResponse) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the request has no SAMLResponse.`);
  const provider = await providerOfRelayState(hosted, form.get('RelayState'));
  // A RelayState of ours answers our AuthnRequest; any other is an IdP-initiated sign-in's.
  if (provider === undefined) return idpInitiatedSignIn(hosted, request, reply, samlResponse, form.get('RelayState'));
  if (provider === 'expired') throw new BadAuthorizationRequest(NOT_STARTED_HERE);
  if (provider === 'unknown') throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: its identity provider is no longer available.`);
  const providerName = provider.providerName;

  const now = hosted.ctx.now();
  let continuation: SamlContinuation;
  try {
    const answer = await samlAnswer(provider, openedDetails(hosted.ctx, provider), serviceProviderOf(hosted), samlResponse, now);
    // A solicited answer has its InResponseTo (samlAnswer checks it).
    continuation = { provider: providerName, inResponseTo: answer.inResponseTo!, claims: answer.claims };
  } catch (error) {
    if (!(error instanceof ProviderExchangeError)) throw error;
    // Refused: told to the client if the response claims to answer a request of ours, else nobody's to hear.
    const inResponseTo = uncheckedInResponseTo(samlResponse);
    if (!inResponseTo || !isSamlRequestId(inResponseTo)) throw new BadAuthorizationRequest(error.message);
    return reply.redirect(continuationUrl(hosted, '/saml2/idpresponse', PURPOSE, { provider: providerName, inResponseTo, error: error.message }), 303);
  }
  // The IdP's signature vouches for the claims, which may be more than a URL can carry: kept in the store.
  return reply.redirect(await keptContinuationUrl(hosted, '/saml2/idpresponse', PURPOSE, continuation), 303);
}

/**
 * GET /saml2/idpresponse?kept=… (or ?continue=… for a refused one): the checked SAML response, in the browser that started the sign-in.
 * Its pending sign-in must be for the same provider and its AuthnRequest ID must be the one the response
 * answers; then both are used up (good once) and the sign-in ends as an OIDC one does.
 */
export async function samlContinueEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const kept = await readContinuation<SamlContinuation>(hosted, PURPOSE, Params.ofQuery(request));
  if (!kept) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the SAML response is not valid, was used already, or took longer than ${CONTINUE_SECONDS / 60} minutes to reach here. Start again from the app.`);
  const continuation = kept.value;
  const pending = takePending(hosted, request, reply);
  if (!pending) throw new BadAuthorizationRequest(NOT_STARTED_HERE);
  if (pending.protocol !== 'SAML' || pending.provider !== continuation.provider || !safeEqual(pending.requestId, continuation.inResponseTo) || !(await kept.take())) {
    throw new BadAuthorizationRequest(NOT_THIS_SIGN_IN);
  }
  const { auth, provider } = await resumedAuthorization(hosted, pending);
  const claims = continuation.claims;
  if (continuation.error !== undefined || !claims) throw redirectedError(auth, new InvalidRequest(continuation.error ?? 'The SAML response is not valid.'));
  return finishFederatedSignIn(hosted, request, reply, auth, provider, async () => claims);
}

/**
 * An unsolicited SAMLResponse: IdP-initiated sign-in, for a provider whose IDPInit is true. The RelayState is
 * the authorization request the app would have sent to /oauth2/authorize (client_id, redirect_uri,
 * response_type, scope, identity_provider or idp_identifier, state…), checked as that endpoint checks it.
 * Nothing binds the response to a browser, so Cognito's rules stand in: the app client lists SAML providers
 * only (identity-providers.ts), the assertion answers no AuthnRequest, was issued in the last six minutes,
 * and is accepted once (its ID is recorded). Then the sign-in ends at the client, as an SP-initiated one does.
 */
async function idpInitiatedSignIn(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, samlResponse: string, relayState: string | undefined): Promise<FastifyReply> {
  if (!relayState) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the SAML response does not answer a sign-in started here, and has no RelayState naming the app client for an IdP-initiated sign-in.`);
  const { ctx, pool } = hosted;
  const auth = await checkAuthorizationRequest(hosted, new Params(parseForm(relayState)), 'choice');
  const provider = auth.identityProvider;
  const details = provider && openedDetails(ctx, provider);
  if (provider?.providerType !== 'SAML' || details?.IDPInit !== 'true') {
    throw redirectedError(auth, new InvalidRequest('The RelayState must name, with identity_provider or idp_identifier, a SAML provider that allows IdP-initiated sign-in (IDPInit).'));
  }
  const refusal = await idpInitiationRefusal(ctx, pool.id, auth.client.settings.SupportedIdentityProviders ?? []);
  if (refusal) throw redirectedError(auth, new InvalidRequest(refusal));
  const now = ctx.now();
  let answer: SamlAnswer;
  try {
    answer = await samlAnswer(provider, details, serviceProviderOf(hosted), samlResponse, now, false);
  } catch (error) {
    if (error instanceof ProviderExchangeError) throw redirectedError(auth, new InvalidRequest(error.message));
    throw error;
  }
  // Kept until the assertion would be refused as too old anyway.
  const keepUntil = new Date(answer.issuedAt.getTime() + UNSOLICITED_ASSERTION_MS + 60_000);
  if (!(await ctx.repos.samlAssertionsUsed.claim(pool.id, provider.providerName, answer.assertionId, keepUntil))) {
    throw redirectedError(auth, new InvalidRequest(`The SAML assertion ${answer.assertionId} has been used already.`));
  }
  if (ctx.randomBytes(1)[0] < 4) await ctx.repos.samlAssertionsUsed.deleteExpired(now);
  return finishFederatedSignIn(hosted, request, reply, auth, provider, async () => answer.claims);
}
