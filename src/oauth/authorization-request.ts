import type { StoredAppClient } from '../storage/app-clients-repository.js';
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
export async function checkAuthorizationRequest(hosted: HostedPool, params: Params): Promise<AuthorizationRequest> {
  const { client, redirectUri } = await checkClientAndRedirect(hosted, params);
  const responseTypeParam = safeGet(params, 'response_type');
  const state = safeGet(params, 'state');
  const inFragment = responseTypeParam === 'token';
  try {
    return await checkTheRest(hosted, params, client, redirectUri);
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

async function checkTheRest(hosted: HostedPool, params: Params, client: StoredAppClient, redirectUri: string): Promise<AuthorizationRequest> {
  // A repeated parameter is an invalid_request, whichever it is (RFC 6749 §3.1); `get` throws it.
  for (const name of AUTHORIZATION_PARAMETERS) params.get(name);
  const settings = client.settings;
  if (!settings.AllowedOAuthFlowsUserPoolClient) throw new UnauthorizedClient('The app client is not enabled for OAuth 2.0 flows.');
  const responseType = params.require('response_type');
  if (responseType !== 'code' && responseType !== 'token') throw new UnsupportedResponseType('response_type must be code or token.');
  const flow = responseType === 'code' ? 'code' : 'implicit';
  if (!(settings.AllowedOAuthFlows ?? []).includes(flow)) throw new UnauthorizedClient(`The app client may not use the ${flow} flow.`);
  checkIdentityProvider(client, params.get('identity_provider'), params.get('idp_identifier'));
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
    query: new URLSearchParams(params.entries(AUTHORIZATION_PARAMETERS)).toString(),
  };
}

/** Cognito's own words, on its error page, for a provider the request cannot use. */
const LOGIN_OPTION_NOT_AVAILABLE = 'Login option is not available. Please try another one.';

/**
 * `identity_provider` (a provider name, or COGNITO for the pool's own directory) and `idp_identifier` send
 * Cognito's /oauth2/authorize to that provider instead of its sign-in page; a provider the app client does
 * not list in SupportedIdentityProviders, or one that cannot be reached, gets Cognito's own error page, not a
 * redirect to the client. Gatehouse does not federate with external providers yet, so the pool's directory is
 * the only one it can sign anyone in with — and only for a client that lists COGNITO, as in Cognito: a client
 * without it never sees the sign-in form.
 */
function checkIdentityProvider(client: StoredAppClient, provider: string | undefined, idpIdentifier: string | undefined): void {
  const unavailable = (reason: string) => new BadAuthorizationRequest(`${LOGIN_OPTION_NOT_AVAILABLE} ${reason}`);
  const supported = client.settings.SupportedIdentityProviders ?? [];
  // Identifiers name a pool's external providers (CreateIdentityProvider's IdpIdentifiers); there are none yet.
  if (idpIdentifier !== undefined && provider === undefined) throw unavailable(`No identity provider of this user pool has the identifier ${idpIdentifier}.`);
  if (provider === undefined || provider === 'COGNITO') {
    if (!supported.includes('COGNITO')) {
      throw unavailable(
        `The app client does not allow signing in with the user pool's own directory: COGNITO is not among its supported identity providers${supported.length > 0 ? `, and Gatehouse cannot federate with ${supported.join(', ')} yet` : ''}.`,
      );
    }
    return;
  }
  if (!supported.includes(provider)) throw unavailable(`The app client does not support the identity provider ${provider}.`);
  throw unavailable(`Gatehouse cannot sign in through ${provider}: federation with external identity providers is not available yet.`);
}

/** prompt=none without a session (OpenID Connect Core §3.1.2.6). */
export function loginRequired(request: AuthorizationRequest): RedirectedAuthorizationError {
  const error = new LoginRequired('Nobody is signed in and prompt=none forbids asking.');
  return new RedirectedAuthorizationError(error, authorizationErrorRedirect(request.redirectUri, error, request.state, request.responseType === 'token'));
}
