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
import { ProviderExchangeError, providerAuthorizationUrl, providerClaims, type ProviderRequest } from './oidc-provider-client.js';

const PENDING_COOKIE = 'gatehouse-federation';
/** How long a person has to sign in at the provider and come back. */
const PENDING_SECONDS = 600;

/** A sign-in sent to a provider: what came back must match it, and the client's request it continues. */
interface PendingSignIn extends ProviderRequest {
  provider: string;
  /** The client's authorization request, as a query string (AuthorizationRequest.query). */
  query: string;
  expiresAt: number;
}

/** Where providers send the browser back: Cognito's /oauth2/idpresponse, the URL registered at the provider. */
function idpResponseUrl(hosted: HostedPool): string {
  return `${hosted.baseUrl}/oauth2/idpresponse`;
}

const sealContext = (hosted: HostedPool) => `federated-sign-in:${hosted.pool.id}`;

/**
 * Sends the browser to the provider the request chose. Our state, nonce and PKCE verifier, with the
 * client's request, travel in a sealed (encrypted and authenticated), HttpOnly, SameSite=Lax cookie:
 * the answer must come back to the browser that asked, which is what stops a forged or replayed answer
 * from signing somebody in (RFC 6749 §10.12). Lax, because the provider's redirect back is a top-level GET.
 */
export async function startFederatedSignIn(hosted: HostedPool, reply: FastifyReply, auth: AuthorizationRequest, provider: StoredIdentityProvider): Promise<FastifyReply> {
  const { ctx } = hosted;
  const random = () => ctx.randomBytes(32).toString('base64url');
  const pending: PendingSignIn = {
    provider: provider.providerName,
    state: random(),
    nonce: random(),
    codeVerifier: random(),
    query: auth.query,
    expiresAt: ctx.now().getTime() + PENDING_SECONDS * 1000,
  };
  const url = await providerAuthorizationUrl(provider, openedDetails(ctx, provider), idpResponseUrl(hosted), pending);
  reply.setCookie(PENDING_COOKIE, ctx.secrets.encryptCompact(JSON.stringify(pending), sealContext(hosted)), {
    path: cookiePath(hosted),
    httpOnly: true,
    secure: hosted.secure,
    sameSite: 'lax',
    maxAge: PENDING_SECONDS,
  });
  return reply.redirect(url.href, 302);
}

/** The pending sign-in of this browser, used up: a provider's answer is good once. */
function takePending(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): PendingSignIn | undefined {
  const sealed = request.cookies[PENDING_COOKIE];
  if (!sealed) return undefined;
  reply.clearCookie(PENDING_COOKIE, { path: cookiePath(hosted) });
  try {
    const pending = JSON.parse(hosted.ctx.secrets.decryptCompact(sealed, sealContext(hosted))) as PendingSignIn;
    return pending.expiresAt > hosted.ctx.now().getTime() ? pending : undefined;
  } catch {
    return undefined;
  }
}

const CANNOT_CONTINUE = 'The sign-in with the identity provider cannot continue';

/**
 * GET /oauth2/idpresponse: the provider's answer. Before the client is known good (the pending sign-in of
 * this browser, our state) nothing is redirected; after, every failure goes back to the client as an
 * OAuth error, as Cognito sends it. On success the user is found or created (federated-users.ts) and
 * signed in as through the pool's own form: a session, then the client's code or tokens.
 */
export async function idpResponseEndpoint(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pending = takePending(hosted, request, reply);
  if (!pending) {
    throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: it was not started in this browser, or it took longer than ${PENDING_SECONDS / 60} minutes. Start again from the app.`);
  }
  const answer = Params.ofQuery(request);
  if (!safeEqual(answer.get('state') ?? '', pending.state)) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: its answer is not for the sign-in this browser started.`);
  const auth = await checkAuthorizationRequest(hosted, new Params(parseForm(pending.query)), 'choice');
  const provider = auth.identityProvider;
  if (provider?.providerName !== pending.provider) throw new BadAuthorizationRequest(`${CANNOT_CONTINUE}: the provider ${pending.provider} is no longer available.`);

  const refused = answer.get('error');
  if (refused !== undefined) {
    const description = answer.get('error_description');
    const message = `${provider.providerName} answered ${refused}${description ? `: ${description}` : ''}`;
    throw redirectedError(auth, refused === 'access_denied' ? new AccessDenied(message) : new InvalidRequest(message));
  }
  const callbackUrl = new URL(`${idpResponseUrl(hosted)}?${new URLSearchParams(answer.entries(['code', 'state', 'iss', 'session_state'])).toString()}`);
  try {
    const claims = await providerClaims(provider, openedDetails(hosted.ctx, provider), callbackUrl, pending);
    const user = await federatedUser(hosted.ctx, hosted.pool, auth.client, provider, claims);
    if (!user.enabled) throw redirectedError(auth, new InvalidRequest('User is disabled.'));
    // A linked user of the pool's own directory signs in as that user, so in a status it may sign in with.
    if (!maySignIn(user)) throw redirectedError(auth, new InvalidRequest(`The user ${user.username} cannot sign in while its status is ${user.status}.`));
    return await signedIn(hosted, request, reply, auth, user);
  } catch (error) {
    // The provider's failures and Cognito's own refusals (a required attribute it did not give, a pre
    // sign-up function's no) end at the client, with their message.
    if (error instanceof ProviderExchangeError || error instanceof ServiceError) throw redirectedError(auth, new InvalidRequest(error.message));
    throw error;
  }
}
