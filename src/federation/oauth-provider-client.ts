import * as oidc from 'openid-client';
import { BoundedMap } from '../bounded-map.js';
import type { ServiceContext } from '../context.js';
import { DISCOVERY_TIMEOUT_MS, reachableUrl } from '../security/oidc-discovery.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { providerVersion } from './identity-providers.js';
import { providerEndpoints, type ProviderEndpoints } from './provider-endpoints.js';
import { appleClientSecrets } from './sign-in-with-apple.js';

/** Providers whose configuration (and the signing keys openid-client caches in it) are kept between sign-ins. */
const CONFIGURATIONS_KEPT = 500;

/** A provider's claims about the user: its ID token's, and its userInfo endpoint's over them. */
export type ProviderClaims = Record<string, unknown>;

/** What the authorization request to the provider carries, kept until the browser comes back. */
export interface ProviderRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Something went wrong on the provider's side of the exchange; its message can be shown to the client. */
export class ProviderExchangeError extends Error {}

const configurations = new BoundedMap<string, oidc.Configuration>(CONFIGURATIONS_KEPT);

/** Facebook's token endpoint takes the code in a GET: openid-client's POST is sent as one, its form as the query. */
function tokenRequestsByGet(tokenUrl: string): oidc.CustomFetch {
  return (url, options) => {
    if (options.method !== 'POST' || new URL(url).href !== new URL(tokenUrl).href) return fetch(url, options as RequestInit);
    const { 'content-type': _form, ...headers } = options.headers;
    const query = new URLSearchParams(options.body as URLSearchParams);
    const target = new URL(url);
    for (const [name, value] of query) target.searchParams.append(name, value);
    return fetch(target, { method: 'GET', headers, redirect: options.redirect, signal: options.signal });
  };
}

/** How Gatehouse authenticates to the provider's token endpoint: its client secret in the form, or for Apple one made per request. */
function clientAuthentication(ctx: ServiceContext, provider: StoredIdentityProvider, details: Record<string, string>): oidc.ClientAuth {
  if (provider.providerType !== 'SignInWithApple') return details.client_secret ? oidc.ClientSecretPost(details.client_secret) : oidc.None();
  const secretAt = appleClientSecrets(details);
  return (_server, _client, body) => {
    body.set('client_id', details.client_id);
    body.set('client_secret', secretAt(ctx.now()));
  };
}

/**
 * The client Gatehouse is of a provider (openid-client): the relying party of an OpenID Connect provider,
 * or the OAuth 2.0 client of Facebook and Login with Amazon, from the endpoints stored with the provider
 * (CreateIdentityProvider discovered or was given them), so a sign-in fetches no discovery document.
 * Kept per provider version: openid-client caches the provider's keys in it.
 */
function configurationOf(ctx: ServiceContext, provider: StoredIdentityProvider, details: Record<string, string>, endpoints: ProviderEndpoints): oidc.Configuration {
  const key = providerVersion(provider);
  let config = configurations.get(key);
  if (config) return config;
  const server: oidc.ServerMetadata = {
    // openid-client wants an issuer; a plain OAuth 2.0 provider's ID tokens are never asked for, so its origin serves.
    issuer: endpoints.issuer ?? new URL(endpoints.authorizeUrl).origin,
    authorization_endpoint: endpoints.authorizeUrl,
    token_endpoint: endpoints.tokenUrl,
    ...(endpoints.jwksUri && { jwks_uri: endpoints.jwksUri }),
  };
  const urls = [endpoints.issuer, endpoints.authorizeUrl, endpoints.tokenUrl, endpoints.jwksUri, endpoints.attributesUrl].filter((u) => u !== undefined);
  // The provider's operations allow only https, or http to this machine (development, tests).
  if (!urls.every((u) => reachableUrl(u))) {
    throw new ProviderExchangeError(`The identity provider ${provider.providerName} has an endpoint that is neither https nor on this machine.`);
  }
  const secret = details.client_secret;
  config = new oidc.Configuration(server, details.client_id, secret ? { client_secret: secret } : {}, clientAuthentication(ctx, provider, details));
  // The token, keys and attributes endpoints get as long as the discovery document did (openid-client counts seconds).
  config.timeout = DISCOVERY_TIMEOUT_MS / 1000;
  if (endpoints.tokenRequestMethod === 'GET') config[oidc.customFetch] = tokenRequestsByGet(endpoints.tokenUrl);
  if (urls.some((u) => u.startsWith('http:'))) oidc.allowInsecureRequests(config);
  configurations.set(key, config);
  return config;
}

const scopesOf = (details: Record<string, string>) => details.authorize_scopes.split(/[\s,]+/);

/**
 * Whether the provider hands out an ID token for this sign-in: an OIDC provider and Apple always (an OIDC
 * provider's scopes include openid), Google when its scopes ask for one. Facebook and Amazon never do.
 */
function expectsIdToken(provider: StoredIdentityProvider, details: Record<string, string>, endpoints: ProviderEndpoints): boolean {
  if (endpoints.issuer === undefined) return false;
  return provider.providerType !== 'Google' || scopesOf(details).includes('openid');
}

/** Apple posts its answer (response_mode form_post) whenever the app asks for the person's name or email, and insists on it. */
function answersByPost(provider: StoredIdentityProvider, details: Record<string, string>): boolean {
  return provider.providerType === 'SignInWithApple' && scopesOf(details).some((scope) => scope === 'name' || scope === 'email');
}

/** The provider's authorization endpoint, asked for a code with PKCE (S256), our state and, for an ID token, a nonce. */
export async function providerAuthorizationUrl(
  ctx: ServiceContext,
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  redirectUri: string,
  request: ProviderRequest,
): Promise<URL> {
  const endpoints = providerEndpoints(ctx.config, provider);
  return oidc.buildAuthorizationUrl(configurationOf(ctx, provider, details, endpoints), {
    redirect_uri: redirectUri,
    response_type: 'code',
    ...(answersByPost(provider, details) && { response_mode: 'form_post' }),
    scope: details.authorize_scopes,
    state: request.state,
    ...(expectsIdToken(provider, details, endpoints) && { nonce: request.nonce }),
    code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
  });
}

/**
 * Redeems the code the provider sent back (`callbackUrl`, with its query) and reads who signed in: the ID
 * token, when there is one, checked by openid-client (signature against the provider's keys, issuer,
 * audience, expiry, our nonce), then the attributes endpoint's claims (userInfo), for the same subject.
 */
export async function providerClaims(
  ctx: ServiceContext,
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  callbackUrl: URL,
  request: ProviderRequest,
): Promise<ProviderClaims> {
  const endpoints = providerEndpoints(ctx.config, provider);
  const client = configurationOf(ctx, provider, details, endpoints);
  const idTokenExpected = expectsIdToken(provider, details, endpoints);
  try {
    const tokens = await oidc.authorizationCodeGrant(client, callbackUrl, {
      expectedState: request.state,
      ...(idTokenExpected && { expectedNonce: request.nonce }),
      pkceCodeVerifier: request.codeVerifier,
      idTokenExpected,
    });
    const idClaims: ProviderClaims | undefined = idTokenExpected ? { ...tokens.claims()! } : undefined;
    if (!endpoints.attributesUrl) return idClaims ?? {};
    const attributes = await attributesOf(client, provider, endpoints, tokens.access_token);
    if (idClaims && attributes.sub !== idClaims.sub) throw new ProviderExchangeError('The userInfo endpoint answered for another subject than the ID token.');
    return { ...idClaims, ...attributes };
  } catch (error) {
    if (error instanceof ProviderExchangeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderExchangeError(`The sign-in with ${provider.providerName} could not be completed: ${reason}`);
  }
}

/**
 * The user's attributes at the provider, asked with the access token in the Authorization header (a userInfo
 * endpoint by GET or POST, as OpenID Connect Core §5.3.1 allows; Facebook's Graph API and Amazon's profile
 * by GET). Facebook answers only the fields it is asked for: those the pool maps, and the id.
 */
async function attributesOf(client: oidc.Configuration, provider: StoredIdentityProvider, endpoints: ProviderEndpoints, accessToken: string): Promise<ProviderClaims> {
  let url = endpoints.attributesUrl!;
  if (endpoints.addAttributes) {
    // The mapping names the id claim too (`username`: Facebook's id).
    const fields = new Set(Object.values(provider.attributeMapping));
    url += encodeURIComponent([...fields].join(','));
  }
  const post = endpoints.attributesRequestMethod === 'POST';
  const response = await oidc.fetchProtectedResource(client, accessToken, new URL(url), post ? 'POST' : 'GET', post ? new URLSearchParams() : undefined);
  if (!response.ok) throw new ProviderExchangeError(`${provider.providerName}'s attributes endpoint answered ${response.status}.`);
  const claims: unknown = await response.json().catch(() => undefined);
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new ProviderExchangeError(`${provider.providerName}'s attributes endpoint did not answer with a JSON object.`);
  return claims as ProviderClaims;
}
