import type { Config } from '../config.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';

/** Where a sign-in through a provider goes, and how it talks to it. */
export interface ProviderEndpoints {
  /** The issuer its ID tokens name: OpenID Connect providers only. Facebook and Amazon are plain OAuth 2.0. */
  issuer?: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Facebook's token endpoint is asked with a GET (its details' token_request_method). */
  tokenRequestMethod: 'GET' | 'POST';
  jwksUri?: string;
  /** Where the user's attributes are read with the access token, when anywhere. */
  attributesUrl?: string;
  attributesRequestMethod: 'GET' | 'POST';
  /** Facebook: the attributes the pool maps are named at the end of attributesUrl (its `fields=`). */
  addAttributes: boolean;
}

/**
 * What Gatehouse needs of Google beyond the endpoints Cognito's Describe shows: its signing keys, and its
 * OpenID Connect userInfo endpoint, which gives the claims Cognito's Google attribute names are
 * (sub, email, email_verified, name, given_name, family_name, picture) also when the scopes have no openid
 * and so bring no ID token.
 */
const GOOGLE_JWKS_URI = 'https://www.googleapis.com/oauth2/v3/certs';
const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo';
/** Apple's signing keys: its ID token is all Apple says of the user (with a name posted once, sign-in-with-apple.ts). */
const APPLE_JWKS_URI = 'https://appleid.apple.com/auth/keys';

/** The endpoints a provider's stored details (provider-details.ts) name, for its type. */
function fromDetails(provider: StoredIdentityProvider): ProviderEndpoints {
  const details = provider.details;
  const common = {
    authorizeUrl: details.authorize_url,
    tokenUrl: details.token_url,
    tokenRequestMethod: details.token_request_method === 'GET' ? ('GET' as const) : ('POST' as const),
    attributesRequestMethod: details.attributes_request_method === 'POST' ? ('POST' as const) : ('GET' as const),
    addAttributes: details.attributes_url_add_attributes === 'true',
  };
  switch (provider.providerType) {
    case 'Google':
      return { ...common, issuer: details.oidc_issuer, jwksUri: GOOGLE_JWKS_URI, attributesUrl: GOOGLE_USERINFO_URL, addAttributes: false };
    case 'SignInWithApple':
      return { ...common, issuer: details.oidc_issuer, jwksUri: APPLE_JWKS_URI };
    case 'OIDC':
      return { ...common, issuer: details.oidc_issuer, jwksUri: details.jwks_uri, attributesUrl: details.attributes_url || undefined };
    default:
      return { ...common, attributesUrl: details.attributes_url };
  }
}

/**
 * The endpoints of a sign-in through `provider`: those its details name, where, for a social provider,
 * the configuration may send Gatehouse somewhere else (a mock provider in development and tests, or a
 * gateway that reaches the provider): Describe still shows Cognito's.
 */
export function providerEndpoints(config: Config, provider: StoredIdentityProvider): ProviderEndpoints {
  const endpoints = fromDetails(provider);
  const override = config.federation.socialEndpoints[provider.providerType as keyof Config['federation']['socialEndpoints']];
  if (!override) return endpoints;
  const replaced = Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined));
  return { ...endpoints, ...replaced };
}
