import * as oidc from 'openid-client';
import { BoundedMap } from '../bounded-map.js';
import { DISCOVERY_TIMEOUT_MS, reachableUrl } from '../security/oidc-discovery.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { providerVersion } from './identity-providers.js';

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

/**
 * The relying party Gatehouse is towards an OpenID Connect provider (openid-client), from the endpoints
 * stored with the provider (CreateIdentityProvider discovered or was given them), so a sign-in fetches no
 * discovery document. Kept per provider version: openid-client caches the provider's keys in it.
 */
function configurationOf(provider: StoredIdentityProvider, details: Record<string, string>): oidc.Configuration {
  const key = providerVersion(provider);
  let config = configurations.get(key);
  if (config) return config;
  const server: oidc.ServerMetadata = {
    issuer: details.oidc_issuer,
    authorization_endpoint: details.authorize_url,
    token_endpoint: details.token_url,
    jwks_uri: details.jwks_uri,
    ...(details.attributes_url && { userinfo_endpoint: details.attributes_url }),
  };
  const urls = [details.oidc_issuer, details.authorize_url, details.token_url, details.jwks_uri, details.attributes_url].filter((u) => u !== undefined);
  // The provider's operations allow only https, or http to this machine (development, tests).
  if (!urls.every((u) => reachableUrl(u))) {
    throw new ProviderExchangeError(`The identity provider ${provider.providerName} has an endpoint that is neither https nor on this machine.`);
  }
  const secret = details.client_secret;
  config = new oidc.Configuration(server, details.client_id, secret ? { client_secret: secret } : {}, secret ? oidc.ClientSecretPost(secret) : oidc.None());
  // The token, keys and userInfo endpoints get as long as the discovery document did (openid-client counts seconds).
  config.timeout = DISCOVERY_TIMEOUT_MS / 1000;
  if (urls.some((u) => u.startsWith('http:'))) oidc.allowInsecureRequests(config);
  configurations.set(key, config);
  return config;
}

/** The provider's authorization endpoint, asked for a code with PKCE (S256), our state and a nonce. */
export async function providerAuthorizationUrl(
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  redirectUri: string,
  request: ProviderRequest,
): Promise<URL> {
  return oidc.buildAuthorizationUrl(configurationOf(provider, details), {
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: details.authorize_scopes,
    state: request.state,
    nonce: request.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
  });
}

/**
 * Redeems the code the provider sent back (`callbackUrl`, with its query) and reads who signed in: the ID
 * token checked by openid-client (signature against the provider's keys, issuer, audience, expiry, our
 * nonce), then the userInfo endpoint's claims for the same subject, when the provider has one.
 */
export async function providerClaims(
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  callbackUrl: URL,
  request: ProviderRequest,
): Promise<ProviderClaims> {
  const config = configurationOf(provider, details);
  try {
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      expectedState: request.state,
      expectedNonce: request.nonce,
      pkceCodeVerifier: request.codeVerifier,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    if (!details.attributes_url) return { ...idClaims };
    const userInfo =
      details.attributes_request_method === 'POST'
        ? await userInfoByPost(config, tokens.access_token, details.attributes_url, idClaims.sub)
        : await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { ...idClaims, ...userInfo };
  } catch (error) {
    if (error instanceof ProviderExchangeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderExchangeError(`The sign-in with ${provider.providerName} could not be completed: ${reason}`);
  }
}

/** attributes_request_method POST: userInfo asked with a POST (OpenID Connect Core §5.3.1 allows both), the token in the Authorization header. */
async function userInfoByPost(config: oidc.Configuration, accessToken: string, url: string, sub: string): Promise<ProviderClaims> {
  const response = await oidc.fetchProtectedResource(config, accessToken, new URL(url), 'POST', new URLSearchParams());
  if (!response.ok) throw new ProviderExchangeError(`The userInfo endpoint answered ${response.status}.`);
  const claims = (await response.json()) as ProviderClaims;
  if (claims.sub !== sub) throw new ProviderExchangeError('The userInfo endpoint answered for another subject than the ID token.');
  return claims;
}
