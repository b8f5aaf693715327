/** Verifiers cache discovery and keys for this long; a rotated-in key is published well before it signs. */
export const DISCOVERY_CACHE_CONTROL = 'public, max-age=300';

/**
 * A pool's OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3). The issuer and its keys are
 * always `<publicUrl>/<poolId>`, the `iss` of every token; the OAuth endpoints are named where the client
 * reaches the pool — as Cognito's document names the pool's domain for them, not its issuer host.
 */
export function openIdConfiguration(issuer: string, endpointsBase: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    authorization_endpoint: `${endpointsBase}/oauth2/authorize`,
    token_endpoint: `${endpointsBase}/oauth2/token`,
    userinfo_endpoint: `${endpointsBase}/oauth2/userInfo`,
    revocation_endpoint: `${endpointsBase}/oauth2/revoke`,
    end_session_endpoint: `${endpointsBase}/logout`,
    response_types_supported: ['code', 'token'],
    grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
  };
}
