import { InvalidParameterException } from '../protocol/errors.js';
import { fetchDiscoveryDocument, reachableUrl } from '../security/oidc-discovery.js';
import { newSamlCertificate } from './saml-certificates.js';
import { applePrivateKey } from './sign-in-with-apple.js';

/**
 * ProviderDetails as CreateIdentityProvider and UpdateIdentityProvider take them, per provider type, and
 * as DescribeIdentityProvider answers with them: the keys each type takes are those the service model's
 * documentation of ProviderDetails lists (reference/models/cognito-idp.json, CreateIdentityProviderRequest),
 * and the values Cognito sets itself (a social provider's endpoints) are the ones its Describe examples show.
 */

export type ProviderType = 'SAML' | 'OIDC' | 'Google' | 'Facebook' | 'LoginWithAmazon' | 'SignInWithApple';

/** The social providers: each has one fixed name, its type's own (Cognito: "Provider X cannot be of type Google."). */
export const SOCIAL_TYPES: readonly string[] = ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'];

/**
 * The private key of a SAML provider's encryption certificate (ActiveEncryptionCertificate), which Gatehouse
 * makes and keeps beside the provider's details: never given, never shown.
 */
export const ENCRYPTION_KEY_DETAIL = 'encryption_private_key';

/** The details that are secrets: sealed at rest. */
export const SECRET_DETAILS: readonly string[] = ['client_secret', 'private_key', ENCRYPTION_KEY_DETAIL];

/** Given when created or updated, or made by Gatehouse, and never shown: "Describe operations don't return the private key." */
export const UNDISCLOSED_DETAILS: readonly string[] = ['private_key', ENCRYPTION_KEY_DETAIL];

/** The IdP claim that becomes the user's name when the request maps none (SAML uses the assertion's NameID). */
export const DEFAULT_USERNAME_CLAIM: Partial<Record<string, string>> = {
  OIDC: 'sub',
  Google: 'sub',
  SignInWithApple: 'sub',
  Facebook: 'id',
  LoginWithAmazon: 'user_id',
};

interface DetailsRule {
  required: readonly string[];
  optional: readonly string[];
  /**
   * Keys Cognito sets itself. A request may carry them (a Describe answer sent back as an update) but
   * never chooses them: they are replaced by these values, or dropped when there is none (SAML's, which
   * Cognito reads from the metadata).
   */
  setByCognito: readonly string[];
  fixed?: (details: Record<string, string>) => Record<string, string>;
}

const SOCIAL_ENDPOINTS = ['attributes_url', 'attributes_url_add_attributes', 'authorize_url', 'oidc_issuer', 'token_request_method', 'token_url'];

/** Facebook's endpoints carry the Graph API version, when one is chosen. */
function facebookEndpoints(details: Record<string, string>): Record<string, string> {
  const version = details.api_version ? `/${details.api_version}` : '';
  return {
    attributes_url: `https://graph.facebook.com${version}/me?fields=`,
    attributes_url_add_attributes: 'true',
    authorize_url: `https://www.facebook.com${version}/dialog/oauth`,
    token_request_method: 'GET',
    token_url: `https://graph.facebook.com${version}/oauth/access_token`,
  };
}

const RULES: Record<ProviderType, DetailsRule> = {
  OIDC: {
    required: ['client_id', 'client_secret', 'authorize_scopes', 'attributes_request_method', 'oidc_issuer'],
    optional: ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri'],
    setByCognito: ['attributes_url_add_attributes'],
    fixed: () => ({ attributes_url_add_attributes: 'false' }),
  },
  Google: {
    required: ['client_id', 'client_secret', 'authorize_scopes'],
    optional: [],
    setByCognito: SOCIAL_ENDPOINTS,
    fixed: () => ({
      attributes_url: 'https://people.googleapis.com/v1/people/me?personFields=',
      attributes_url_add_attributes: 'true',
      authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
      oidc_issuer: 'https://accounts.google.com',
      token_request_method: 'POST',
      token_url: 'https://www.googleapis.com/oauth2/v4/token',
    }),
  },
  Facebook: { required: ['client_id', 'client_secret', 'authorize_scopes'], optional: ['api_version'], setByCognito: SOCIAL_ENDPOINTS, fixed: facebookEndpoints },
  LoginWithAmazon: {
    required: ['client_id', 'client_secret', 'authorize_scopes'],
    optional: [],
    setByCognito: SOCIAL_ENDPOINTS,
    fixed: () => ({
      attributes_url: 'https://api.amazon.com/user/profile',
      attributes_url_add_attributes: 'false',
      authorize_url: 'https://www.amazon.com/ap/oa',
      token_request_method: 'POST',
      token_url: 'https://api.amazon.com/auth/o2/token',
    }),
  },
  SignInWithApple: {
    required: ['client_id', 'team_id', 'key_id', 'private_key', 'authorize_scopes'],
    optional: [],
    setByCognito: SOCIAL_ENDPOINTS,
    fixed: () => ({
      attributes_url_add_attributes: 'false',
      authorize_url: 'https://appleid.apple.com/auth/authorize',
      oidc_issuer: 'https://appleid.apple.com',
      token_request_method: 'POST',
      token_url: 'https://appleid.apple.com/auth/token',
    }),
  },
  SAML: {
    // MetadataURL or MetadataFile: checked below, since exactly one of them is required.
    required: [],
    optional: ['MetadataURL', 'MetadataFile', 'IDPSignout', 'IDPInit', 'EncryptedResponses', 'RequestSigningAlgorithm'],
    setByCognito: ['ActiveEncryptionCertificate', 'SLORedirectBindingURI', 'SSORedirectBindingURI'],
  },
};

const invalid = (message: string) => new InvalidParameterException(message);

/** An endpoint Gatehouse will call with the provider's secrets or trust keys from: https, or http on a loopback host. */
function checkEndpoint(key: string, value: string): void {
  if (!reachableUrl(value)) throw invalid(`${key} must be an https URL (or http on a loopback host): ${value}`);
}

/** The details of an OIDC provider: its issuer checked, and the endpoints not given found in its discovery document. */
async function withOidcEndpoints(details: Record<string, string>): Promise<Record<string, string>> {
  const issuer = details.oidc_issuer;
  const url = reachableUrl(issuer);
  // OpenID Connect Core §2: an issuer is an https URL with no query or fragment.
  if (!url || url.search || url.hash || issuer.includes('?') || issuer.includes('#')) {
    throw invalid(`oidc_issuer must be an https URL (or http on a loopback host) without a query or fragment: ${issuer}`);
  }
  if (!['GET', 'POST'].includes(details.attributes_request_method)) throw invalid('attributes_request_method must be GET or POST.');
  for (const key of ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri']) if (details[key]) checkEndpoint(key, details[key]);
  if (details.authorize_url && details.token_url && details.jwks_uri) return details;

  let document: Record<string, unknown>;
  try {
    document = await fetchDiscoveryDocument(issuer);
  } catch (error) {
    throw invalid(`Unable to read the OpenID Connect discovery document of ${issuer} (${(error as Error).message}): give authorize_url, token_url and jwks_uri instead.`);
  }
  const discovered = { ...details };
  const fill = (key: string, member: string, needed: boolean) => {
    if (discovered[key]) return;
    const value = document[member];
    if (value === undefined && !needed) return;
    if (typeof value !== 'string' || !reachableUrl(value)) throw invalid(`The discovery document of ${issuer} has no usable ${member}: give ${key} instead.`);
    discovered[key] = value;
  };
  fill('authorize_url', 'authorization_endpoint', true);
  fill('token_url', 'token_endpoint', true);
  fill('jwks_uri', 'jwks_uri', true);
  fill('attributes_url', 'userinfo_endpoint', false);
  return discovered;
}

function checkSaml(details: Record<string, string>): void {
  const sources = ['MetadataURL', 'MetadataFile'].filter((key) => details[key]);
  if (sources.length !== 1) throw invalid('ProviderDetails of a SAML provider must have exactly one of MetadataURL and MetadataFile.');
  if (details.MetadataURL) checkEndpoint('MetadataURL', details.MetadataURL);
  for (const key of ['IDPSignout', 'IDPInit', 'EncryptedResponses']) {
    if (key in details && details[key] !== 'true' && details[key] !== 'false') throw invalid(`${key} must be true or false.`);
  }
  // The only algorithm Cognito signs SAML requests with.
  if ('RequestSigningAlgorithm' in details && details.RequestSigningAlgorithm !== 'rsa-sha256') throw invalid('RequestSigningAlgorithm must be rsa-sha256.');
}

/**
 * A SAML provider with EncryptedResponses gets a key pair and certificate of its own (Cognito's
 * ActiveEncryptionCertificate, which the IdP encrypts its assertions to), kept as long as the provider
 * keeps encrypting; one that does not has none.
 */
async function withEncryptionCertificate(details: Record<string, string>, kept: Record<string, string>, now: Date): Promise<Record<string, string>> {
  if (details.EncryptedResponses !== 'true') return details;
  if (kept[ENCRYPTION_KEY_DETAIL]) return { ...details, ActiveEncryptionCertificate: kept.ActiveEncryptionCertificate, [ENCRYPTION_KEY_DETAIL]: kept[ENCRYPTION_KEY_DETAIL] };
  const made = await newSamlCertificate('Gatehouse SAML encryption', now);
  return { ...details, ActiveEncryptionCertificate: made.certificate, [ENCRYPTION_KEY_DETAIL]: made.privateKey };
}

/** The keys in the order Describe lists them: alphabetical. */
function sorted(details: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The details to store for a provider of `type`, in the clear: the request's, checked (InvalidParameterException
 * naming the key that is missing, unknown or wrong), with Cognito's own values set and an OIDC provider's
 * endpoints discovered. `kept`: the provider's current details, on update; a secret the request leaves out
 * stays as it was, so an administrator changing the scopes need not send the secret again (and cannot,
 * for Apple's private key, read it back to do so).
 */
export async function checkedDetails(type: ProviderType, requested: Record<string, string>, now: Date, kept: Record<string, string> = {}): Promise<Record<string, string>> {
  const rule = RULES[type];
  const details: Record<string, string> = {};
  for (const key of SECRET_DETAILS) if (kept[key] && rule.required.includes(key)) details[key] = kept[key];
  for (const [key, value] of Object.entries(requested)) {
    if (rule.setByCognito.includes(key)) continue;
    if (!rule.required.includes(key) && !rule.optional.includes(key)) throw invalid(`${key} is not a ProviderDetails key of a ${type} provider.`);
    if (value !== '') details[key] = value;
  }
  const missing = rule.required.find((key) => !details[key]);
  if (missing) throw invalid(`ProviderDetails of a ${type} provider must have ${missing}.`);
  // The version goes into Facebook's URLs: a version and nothing else (v17.0).
  if (type === 'Facebook' && details.api_version !== undefined && !/^v\d+\.\d+$/.test(details.api_version)) throw invalid(`api_version must be a Graph API version such as v17.0, not ${details.api_version}.`);
  if (type === 'SAML') checkSaml(details);
  if (type === 'SignInWithApple' && !applePrivateKey(details.private_key)) throw invalid('private_key must be the PEM of an EC P-256 private key (the .p8 file Apple gives for a Sign in with Apple key).');
  const complete = type === 'OIDC' ? await withOidcEndpoints(details) : type === 'SAML' ? await withEncryptionCertificate(details, kept, now) : details;
  return sorted({ ...complete, ...rule.fixed?.(complete) });
}
