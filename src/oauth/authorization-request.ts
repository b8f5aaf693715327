import { identityProviderNames } from '../federation/identities.js';
import { COGNITO_PROVIDER } from '../federation/identity-providers.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import { EXTERNAL_PROVIDER } from '../userpools/users/users.js';
import type { HostedPool } from './hosted-pool.js';
import {
  InvalidRequest,
  LoginRequired,
  OAuthError,
  UnauthorizedClient,
  UnsupportedResponseType,
  authorizationErrorRedirect,
} from './oauth-errors.js';
import { Params } from './params.js';
import { checkCodeChallenge } from './pkce.js';
import { isRegisteredCallback } from './redirect-uris.js';
import { grantScopes, parseScope } from './scopes.js';

/** The /oauth2/authorize parameters (Cognito's, TOKENS.md §2), carried unchanged from page to page. */
export const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'identity_provider',
  'idp_identifier',
  'prompt',
  'login_hint',
] as const;

export interface AuthorizationRequest {
  client: StoredAppClient;
  redirectUri: string;
  responseType: 'code' | 'token';
  state?: string;
  scopes: string[];
  codeChallenge?: string;
  nonce?: string;
  /** OpenID Connect prompt values: `none` (never show a page), `login` (ask again despite a session). */
  prompt: Set<string>;
  loginHint?: string;
  /** The external provider the request asks for (identity_provider or idp_identifier), if any. */
  identityProvider?: StoredIdentityProvider;
  /** Whether the client lets its users sign in with the pool's own directory (COGNITO is among its providers). */
  directory: boolean;
  /** The request's parameters as a query string, for links and forms between the pages. */
  query: string;
}

/** Before the client and redirect_uri are known good there is nowhere safe to redirect: a page says it. */
export class BadAuthorizationRequest extends Error {}

/** After they are, errors go back to the client's redirect_uri (RFC 6749 §4.1.2.1). */
export class RedirectedAuthorizationError extends Error {
  constructor(
    readonly oauthError: OAuthError,
    readonly location: string,
  ) {
    super(oauthError.message);
  }
}

/**
 * Checks an authorization request the way RFC 6749 §4.1.2.1 orders it: client and redirect_uri first
 * (their errors are shown, never redirected), then everything else (redirected to the client with
 * `error`). Used by /oauth2/authorize and again by every page that carries the request.
 */
export async function checkAuthorizationRequest(hosted: HostedPool, params: Params, use: RequestUse = 'directory'): Promise<AuthorizationRequest> {
  const { client, redirectUri } = await checkClientAndRedirect(hosted, params);
  const responseTypeParam = safeGet(params, 'response_type');
  const state = safeGet(params, 'state');
  const inFragment = responseTypeParam === 'token';
  try {
    return await checkTheRest(hosted, params, client, redirectUri, use);
  } catch (error) {
    if (error instanceof OAuthError) {
      throw new RedirectedAuthorizationError(error, authorizationErrorRedirect(redirectUri, error, state, inFragment));
    }
    throw error;
  }
}

/** A repeated parameter must not stop the error from reaching the client; it is reported on its own. */
function safeGet(params: Params, name: string): string | undefined {
  try {
    return params.get(name);
  } catch {
    return undefined;
  }
}

async function checkClientAndRedirect(hosted: HostedPool, params: Params): Promise<{ client: StoredAppClient; redirectUri: string }> {
  const clientId = safeGet(params, 'client_id');
  if (clientId === undefined) throw new BadAuthorizationRequest('The request names no app client (client_id is missing or repeated).');
  const client = await hosted.ctx.repos.appClients.get(hosted.pool.id, clientId);
  if (!client) throw new BadAuthorizationRequest(`The app client ${clientId} does not exist in this user pool.`);
  const redirectUri = safeGet(params, 'redirect_uri');
  if (redirectUri === undefined) throw new BadAuthorizationRequest('The request has no redirect_uri (it is missing or repeated).');
  if (!isRegisteredCallback(client, redirectUri)) {
    throw new BadAuthorizationRequest('The redirect_uri is not one of the app client’s registered callback URLs, so the sign-in cannot continue.');
  }
  return { client, redirectUri };
}

async function checkTheRest(hosted: HostedPool, params: Params, client: StoredAppClient, redirectUri: string, use: RequestUse): Promise<AuthorizationRequest> {
  // A repeated parameter is an invalid_request, whichever it is (RFC 6749 §3.1); `get` throws it.
  for (const name of AUTHORIZATION_PARAMETERS) params.get(name);
  const settings = client.settings;
  if (!settings.AllowedOAuthFlowsUserPoolClient) throw new UnauthorizedClient('The app client is not enabled for OAuth 2.0 flows.');
  const responseType = params.require('response_type');
  if (responseType !== 'code' && responseType !== 'token') throw new UnsupportedResponseType('response_type must be code or token.');
  const flow = responseType === 'code' ? 'code' : 'implicit';
  if (!(settings.AllowedOAuthFlows ?? []).includes(flow)) throw new UnauthorizedClient(`The app client may not use the ${flow} flow.`);
  const identityProvider = await chosenProvider(hosted, client, params.get('identity_provider'), params.get('idp_identifier'), use);
  const scopes = await grantScopes(hosted.ctx, client, parseScope(params.get('scope')), 'user');
  const codeChallenge =
    responseType === 'code'
      ? checkCodeChallenge(params.get('code_challenge'), params.get('code_challenge_method'), !client.encryptedSecret)
      : undefined;
  const prompt = new Set((params.get('prompt') ?? '').split(' ').filter((p) => p !== ''));
  if (prompt.has('none') && prompt.size > 1) throw new InvalidRequest('prompt=none cannot be combined with other prompt values.');
  const state = params.get('state');
  const nonce = params.get('nonce');
  const loginHint = params.get('login_hint');
  return {
    client,
    redirectUri,
    responseType,
    ...(state !== undefined && { state }),
    scopes,
    ...(codeChallenge !== undefined && { codeChallenge }),
    ...(nonce !== undefined && { nonce }),
    prompt,
    ...(loginHint !== undefined && { loginHint }),
    ...(identityProvider && { identityProvider }),
    directory: supportsDirectory(client),
    query: new URLSearchParams(params.entries(AUTHORIZATION_PARAMETERS)).toString(),
  };
}

/** Cognito's own words, on its error page, for a provider the request cannot use. */
const LOGIN_OPTION_NOT_AVAILABLE = 'Login option is not available. Please try another one.';

/**
 * What a page does with the request: `directory` pages sign users in with the pool's own directory (the
 * sign-in form's post, sign-up, passwords, challenges); `choice` is where a sign-in starts (authorize, the
 * sign-in page), which a client without COGNITO may reach to be sent to, or choose, an external provider.
 */
export type RequestUse = 'directory' | 'choice';

const supportsDirectory = (client: StoredAppClient): boolean => (client.settings.SupportedIdentityProviders ?? []).includes(COGNITO_PROVIDER);

/**
 * `identity_provider` (a provider name, or COGNITO for the pool's own directory) and `idp_identifier` (one of
 * a provider's IdpIdentifiers) send Cognito's /oauth2/authorize to that provider instead of its sign-in page.
 * A provider the app client does not list in SupportedIdentityProviders, or one Gatehouse cannot sign in
 * through, gets Cognito's own error page, not a redirect to the client; so does a client without COGNITO
 * on a page of the pool's own directory.
 */
async function chosenProvider(
  hosted: HostedPool,
  client: StoredAppClient,
  name: string | undefined,
  identifier: string | undefined,
  use: RequestUse,
): Promise<StoredIdentityProvider | undefined> {
  const unavailable = (reason: string) => new BadAuthorizationRequest(`${LOGIN_OPTION_NOT_AVAILABLE} ${reason}`);
  const supported = client.settings.SupportedIdentityProviders ?? [];
  if (name === undefined && identifier !== undefined) {
    const found = await hosted.ctx.repos.identityProviders.findByIdentifier(hosted.pool.id, identifier);
    if (!found) throw unavailable(`No identity provider of this user pool has the identifier ${identifier}.`);
    name = found.providerName;
  }
  if (name === undefined || name === COGNITO_PROVIDER) {
    if (supportsDirectory(client) || (name === undefined && use === 'choice' && supported.length > 0)) return undefined;
    throw unavailable("The app client does not allow signing in with the user pool's own directory: COGNITO is not among its supported identity providers.");
  }
  if (!supported.includes(name)) throw unavailable(`The app client does not support the identity provider ${name}.`);
  const provider = await hosted.ctx.repos.identityProviders.get(hosted.pool.id, name);
  if (!provider) throw unavailable(`The identity provider ${name} does not exist in this user pool.`);
  return provider;
}

/**
 * Whether a hosted-UI session's user may be signed in to this request's client without a page: a user of
 * the pool's own directory where the client lists COGNITO, any user where it lists a provider the user
 * comes from or is linked to; and, when the request names a provider, only a user from that one. Otherwise the
 * client's users sign in as it allows, whoever else is signed in.
 */
export function sessionServes(request: AuthorizationRequest, user: StoredUser): boolean {
  const chosen = request.identityProvider?.providerName;
  if (user.status !== EXTERNAL_PROVIDER && request.directory && chosen === undefined) return true;
  const supported = request.client.settings.SupportedIdentityProviders ?? [];
  return identityProviderNames(user).some((name) => (chosen ?? name) === name && supported.includes(name));
}

/** An error of a checked request, on its way back to the client's redirect_uri. */
export function redirectedError(request: AuthorizationRequest, error: OAuthError): RedirectedAuthorizationError {
  return new RedirectedAuthorizationError(error, authorizationErrorRedirect(request.redirectUri, error, request.state, request.responseType === 'token'));
}

/** prompt=none without a session (OpenID Connect Core §3.1.2.6). */
export function loginRequired(request: AuthorizationRequest): RedirectedAuthorizationError {
  return redirectedError(request, new LoginRequired('Nobody is signed in and prompt=none forbids asking.'));
}
