import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadAuthorizationRequest, checkAuthorizationRequest, redirectedError, type AuthorizationRequest } from '../oauth/authorization-request.js';
import { signedIn } from '../oauth/complete-authorization.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import { AccessDenied, InvalidRequest } from '../oauth/oauth-errors.js';
import { Params, parseForm } from '../oauth/params.js';
import { cookiePath } from '../oauth/session.js';
import { ServiceError } from '../protocol/errors.js';
import { safeEqual } from '../security/safe-equal.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { maySignIn } from '../userpools/users/users.js';
import { federatedUser } from './federated-users.js';
import { openedDetails } from './identity-providers.js';
import { ProviderExchangeError, providerAuthorizationUrl, providerClaims, type ProviderClaims, type ProviderRequest } from './oauth-provider-client.js';
import { samlAuthorizationUrl, samlRequestId, samlSignInOf, serviceProviderOf } from './saml-provider-client.js';
import { relayStateFor } from './saml-relay-state.js';
import { CONTINUE_SECONDS, continuationUrl, openContinuation, sealForBrowser } from './sealed-continuation.js';
import { appleUserClaims } from './sign-in-with-apple.js';

const PENDING_COOKIE = 'gatehouse-federation';
/** How long a person has to sign in at the provider and come back. */
const PENDING_SECONDS = 600;

/** A sign-in sent to a provider: what came back must match it, and the client's request it continues. */
type PendingSignIn = {
  provider: string;
  /** The client's authorization request, as a query string (AuthorizationRequest.query). */
  query: string;
} & (
  | ({ protocol: 'OIDC' } & ProviderRequest)
  /** SAML: the ID of our AuthnRequest, which the IdP's assertion must answer (InResponseTo). */
  | { protocol: 'SAML'; requestId: string }
);

/** Where providers send the browser back: Cognito's /oauth2/idpresponse, the URL registered at the provider. */
function idpResponseUrl(hosted: HostedPool): string {
  return `${hosted.baseUrl}/oauth2/idpresponse`;
}

const PENDING_PURPOSE = 'federated-sign-in';

/** The provider's sign-in page for this pending sign-in: an OIDC authorization request, or a SAML AuthnRequest. */
async function providerSignInUrl(hosted: HostedPool, provider: StoredIdentityProvider, pending: PendingSignIn): Promise<URL> {
  const details = openedDetails(hosted.ctx, provider);
  if (pending.protocol !== 'SAML') return providerAuthorizationUrl(hosted.ctx, provider, details, idpResponseUrl(hosted), pending);
  return samlAuthorizationUrl(hosted.ctx, provider, details, serviceProviderOf(hosted), pending.requestId, relayStateFor(hosted, provider.providerName, PENDING_SECONDS));
}

/**
 * Sends the browser to the provider the request chose. Our state, nonce and PKCE verifier, with the
 * client's request, travel in a sealed (encrypted and authenticated), HttpOnly, SameSite=Lax cookie:
 * the answer must come back to the browser that asked, which is what stops a forged or replayed answer
 * from signing somebody in (RFC 6749 §10.12). Lax, because the provider's redirect back is a top-level GET.
 */
export async function startFederatedSignIn(hosted: HostedPool, reply: FastifyReply, auth: AuthorizationRequest, provider: StoredIdentityProvider): Promise<FastifyReply> {
  const { ctx } = hosted;
  const random = () => ctx.randomBytes(32).toString('base64url');
  const common = { provider: provider.providerName, query: auth.query };
  const pending: PendingSignIn =
    provider.providerType === 'SAML'
      ? { ...common, protocol: 'SAML', requestId: samlRequestId(ctx) }
      : { ...common, protocol: 'OIDC', state: random(), nonce: random(), codeVerifier: random() };
  let url: URL;
  try {
    url = await providerSignInUrl(hosted, provider, pending);
  } catch (error) {
    // A SAML provider's metadata that cannot be read or used: the client hears of it, as of any provider failure.
    if (error instanceof ProviderExchangeError) throw redirectedError(auth, new InvalidRequest(error.message));
    throw error;
  }
  reply.setCookie(PENDING_COOKIE, sealForBrowser(hosted, PENDING_PURPOSE, pending, PENDING_SECONDS), {
    path: cookiePath(hosted),
    httpOnly: true,
    secure: hosted.secure,
    sameSite: 'lax',
    maxAge: PENDING_SECONDS,
  });
  return reply.redirect(url.href, 302);
}

/** The pending sign-in of this browser, used up: a provider's answer is good once. */
export function takePending(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): PendingSignIn | undefined {
  const sealed = request.cookies[PENDING_COOKIE];
  if (!sealed) return undefined;
  reply.clearCookie(PENDING_COOKIE, { path: cookiePath(hosted) });
  return openContinuation<PendingSignIn>(hosted, PENDING_PURPOSE, sealed);
}

export const CANNOT_CONTINUE = 'The sign-in with the identity provider cannot continue';
export const NOT_STARTED_HERE = `${CANNOT_CONTINUE}: it was not started in this browser, or it took longer than ${PENDING_SECONDS / 60} minutes. Start again from the app.`;
export const NOT_THIS_SIGN_IN = `${CANNOT_CONTINUE}: its answer is not for the sign-in this browser started.`;

/** The client's authorization request the pending sign-in continues, checked again, and its provider, still there. */
export async function resumedAuthorization(hosted: HostedPool, pending: PendingSignIn): Promise<{ auth: AuthorizationRequest; provider: StoredIdentityProvider }> {
  const auth = await checkAuthorizationRequest(hosted, new Params(parseForm(pending.query)), 'choice');
  const provider = auth.identityProvider;
  if (provider?.providerName !== pending.provider) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the provider ${pending.provider} is no longer available.`);
  return { auth, provider };
}

/**
 * The end of every federated sign-in, OIDC or SAML, once the provider's answer is known to be for this
 * browser's request: the user found or created (federated-users.ts) from the provider's claims, and
 * signed in as through the pool's own form (a session, then the client's code or tokens).
 */
export async function finishFederatedSignIn(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  provider: StoredIdentityProvider,
  claimsOf: () => Promise<ProviderClaims>,
): Promise<FastifyReply> {
  try {
    const claims = await claimsOf();
    const user = await federatedUser(hosted.ctx, hosted.pool, auth.client, provider, claims);
    if (!user.enabled) throw redirectedError(auth, new InvalidRequest('User is disabled.'));
    // A linked user of the pool's own directory signs in as that user, so in a status it may sign in with.
    if (!maySignIn(user)) throw redirectedError(auth, new InvalidRequest(`The user ${user.username} cannot sign in while its status is ${user.status}.`));
    return await signedIn(hosted, request, reply, auth, user, samlSignInOf(provider, claims));
  } catch (error) {
    // The provider's failures and Cognito's own refusals (a required attribute it did not give, a pre
    // sign-up function's no) end at the client, with their message.
    if (error instanceof ProviderExchangeError || error instanceof ServiceError) throw redirectedError(auth, new InvalidRequest(error.message));
    throw error;
  }
}

/** What a provider's answer may carry: OAuth 2.0's, OpenID Connect's, and Apple's `user` (its first answer only). */
const ANSWER_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'user'];
const FORM_POST_PURPOSE = 'oauth2-form-post';

/**
 * POST /oauth2/idpresponse: a provider's answer as a form (response_mode form_post, which Sign in with Apple
 * uses). No CSRF token: the form is the provider's. A cross-site POST brings no SameSite=Lax cookie, so the
 * answer is continued, unread, as a GET of our own (sealed-continuation.ts), where it is checked.
 */
export async function idpFormPostEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const answer = Object.fromEntries(Params.ofForm(request).entries(ANSWER_PARAMS));
  return reply.redirect(continuationUrl(hosted, '/oauth2/idpresponse', FORM_POST_PURPOSE, answer), 303);
}

/** The provider's answer: its redirect's query, or the form it posted, continued; `posted` says which. */
function providerAnswer(hosted: HostedPool, request: FastifyRequest): { answer: Params; posted: boolean } {
  const query = Params.ofQuery(request);
  const token = query.get('continue');
  if (token === undefined) return { answer: query, posted: false };
  const form = openContinuation<Record<string, string>>(hosted, FORM_POST_PURPOSE, token);
  if (!form) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the provider's answer is not valid or took longer than ${CONTINUE_SECONDS / 60} minutes to reach here. Start again from the app.`);
  return { answer: new Params(form), posted: true };
}

/**
 * GET /oauth2/idpresponse: the provider's answer. Before the client is known good (the pending sign-in of
 * this browser, our state) nothing is redirected; after, every failure goes back to the client as an
 * OAuth error, as Cognito sends it.
 */
export async function idpResponseEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { answer, posted } = providerAnswer(hosted, request);
  const pending = takePending(hosted, request, reply);
  if (!pending) throw new BadAuthorizationRequest(NOT_STARTED_HERE);
  if (pending.protocol === 'SAML' || !safeEqual(answer.get('state') ?? '', pending.state)) throw new BadAuthorizationRequest(NOT_THIS_SIGN_IN);
  const { auth, provider } = await resumedAuthorization(hosted, pending);

  const refused = answer.get('error');
  if (refused !== undefined) {
    const description = answer.get('error_description');
    const message = `${provider.providerName} answered ${refused}${description ? `: ${description}` : ''}`;
    throw redirectedError(auth, refused === 'access_denied' ? new AccessDenied(message) : new InvalidRequest(message));
  }
  const callbackUrl = new URL(`${idpResponseUrl(hosted)}?${new URLSearchParams(answer.entries(['code', 'state', 'iss', 'session_state'])).toString()}`);
  // Apple's name for the person, posted beside the code: under the ID token's claims, which are signed.
  const unsigned = posted && provider.providerType === 'SignInWithApple' ? appleUserClaims(answer.get('user')) : {};
  const claimsOf = async () => ({ ...unsigned, ...(await providerClaims(hosted.ctx, provider, openedDetails(hosted.ctx, provider), callbackUrl, pending)) });
  return finishFederatedSignIn(hosted, request, reply, auth, provider, claimsOf);
}
