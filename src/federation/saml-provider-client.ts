import { SAML, SamlStatusError, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { ServiceContext } from '../context.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import type { SamlSignIn } from '../storage/hosted-ui-sessions-repository.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { safeEqual } from '../security/safe-equal.js';
import { ProviderExchangeError, type ProviderClaims } from './oauth-provider-client.js';
import { ENCRYPTION_KEY_DETAIL } from './provider-details.js';
import { poolSigningCertificate } from './saml-certificates.js';
import { samlMetadataOf, type SamlIdpMetadata } from './saml-metadata.js';

/**
 * The claim under which a SAML provider's NameID reaches federatedUser: the id of its users when the
 * AttributeMapping does not map `username` (Cognito names SAML users by NameID). Not a valid SAML
 * attribute name an IdP would send, so no attribute can stand in for it.
 */
export const NAME_ID_CLAIM = 'saml:NameID';
/** Beside it, what single logout names the IdP's session by: the NameID's Format and the assertion's SessionIndex. */
const NAME_ID_FORMAT_CLAIM = 'saml:NameIDFormat';
const SESSION_INDEX_CLAIM = 'saml:SessionIndex';

/** The longest assertion ID kept (migration 0019); SAML IDs are a few dozen characters. */
const MAX_ASSERTION_ID = 256;

/** A LogoutResponse is a few hundred bytes: one that inflates to more than this is refused, not inflated further. */
const MAX_LOGOUT_RESPONSE_BYTES = 100_000;

/** How far the IdP's clock may be from ours when its assertion's time conditions are checked. */
const CLOCK_SKEW_MS = 60_000;

/** Gatehouse as a SAML service provider, as Cognito is one: the identity IdPs register. */
export interface ServiceProvider {
  /** The Audience the IdP's assertions must name: Cognito's `urn:amazon:cognito:sp:<poolId>`. */
  entityId: string;
  /** The Assertion Consumer Service, HTTP-POST binding: Cognito's `/saml2/idpresponse`. */
  acsUrl: string;
}

export function serviceProviderOf(hosted: HostedPool): ServiceProvider {
  return { entityId: `urn:amazon:cognito:sp:${hosted.pool.id}`, acsUrl: `${hosted.baseUrl}/saml2/idpresponse` };
}

/**
 * node-saml as the service provider towards this IdP. `requestId`: the ID our AuthnRequest carries;
 * `keys`: the pool's signing key, for a provider whose RequestSigningAlgorithm is rsa-sha256 (the
 * AuthnRequest is then signed as the HTTP-Redirect binding signs, SigAlg and Signature in the query), and the
 * provider's encryption key, when its assertions come encrypted.
 */
function samlOf(metadata: SamlIdpMetadata, sp: ServiceProvider, requestId?: string, keys: { signing?: string; decryption?: string; logoutUrl?: string } = {}): SAML {
  return new SAML({
    ...(keys.logoutUrl && { logoutUrl: keys.logoutUrl }),
    ...(keys.signing && { privateKey: keys.signing, signatureAlgorithm: 'sha256' as const }),
    ...(keys.decryption && { decryptionPvk: keys.decryption }),
    entryPoint: metadata.ssoRedirectUrl,
    idpIssuer: metadata.entityId,
    issuer: sp.entityId,
    audience: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: metadata.signingCertificates,
    // No NameID format asked for, and no authentication context: the IdP's own defaults, as Cognito leaves them.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    // The response or its assertion must be signed by the IdP (node-saml refuses an unsigned assertion either way).
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    // node-saml's InResponseTo cache lives in one process; the request ID is checked against the browser's
    // pending sign-in instead (saml-sign-in.ts).
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    ...(requestId && { generateUniqueId: () => requestId }),
  });
}

/** The IdP's SSO URL with our AuthnRequest (HTTP-Redirect binding: deflated, base64) and RelayState. */
export async function samlAuthorizationUrl(
  ctx: ServiceContext,
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  sp: ServiceProvider,
  requestId: string,
  relayState: string,
): Promise<URL> {
  const metadata = await samlMetadataOf(provider, details, ctx.now().getTime());
  const signing = details.RequestSigningAlgorithm === 'rsa-sha256' ? (await poolSigningCertificate(ctx, provider.poolId)).privateKey : undefined;
  return new URL(await samlOf(metadata, sp, requestId, { signing }).getAuthorizeUrlAsync(relayState, undefined, {}));
}

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** The document, or undefined when it is not XML at all (node-saml then says why). */
function parsedXml(xml: string) {
  try {
    return new DOMParser({ errorHandler: { error: () => {}, fatalError: () => {} } }).parseFromString(xml, 'text/xml');
  } catch {
    return undefined;
  }
}

/** The SAMLResponse's XML (HTTP-POST binding: base64). */
const responseDocument = (samlResponse: string) => parsedXml(Buffer.from(samlResponse, 'base64').toString('utf8'));

/**
 * A provider with EncryptedResponses takes only encrypted assertions, as Cognito does once it is on: one
 * EncryptedAssertion and no assertion in the clear, which the user's browser could read (or an attacker
 * could put there).
 */
function checkEncrypted(provider: StoredIdentityProvider, samlResponse: string): void {
  const doc = responseDocument(samlResponse);
  const encrypted = doc?.getElementsByTagNameNS(ASSERTION_NS, 'EncryptedAssertion').length ?? 0;
  const clear = doc?.getElementsByTagNameNS(ASSERTION_NS, 'Assertion').length ?? 0;
  if (encrypted !== 1 || clear !== 0) throw new ProviderExchangeError(`The SAML response of ${provider.providerName} must carry one encrypted assertion (EncryptedResponses is on), and no assertion in the clear.`);
}

/**
 * How long after it was issued an unsolicited assertion (IdP-initiated sign-in) is accepted: Cognito's six
 * minutes. One that answers our AuthnRequest is bound by the request instead.
 */
export const UNSOLICITED_ASSERTION_MS = 6 * 60_000;

/**
 * What a checked SAML response says: who signed in, and which of our AuthnRequests it answers (none, for an
 * IdP-initiated sign-in), with the assertion's ID and when it was issued.
 */
export interface SamlAnswer {
  inResponseTo?: string;
  claims: ProviderClaims;
  assertionId: string;
  issuedAt: Date;
}

/** An attribute as a claim: one value as it is, several joined with commas (Gatehouse's choice: Cognito's form is not documented). */
function attributeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => attributeText(v) ?? '').join(',');
  return undefined;
}

type ParsedAssertion = {
  Assertion?: {
    $?: { ID?: string; IssueInstant?: string };
    Subject?: { SubjectConfirmation?: { SubjectConfirmationData?: { $?: { InResponseTo?: string } }[] }[] }[];
  };
};

/**
 * The InResponseTo of the assertion's bearer SubjectConfirmationData: inside the signed assertion, unlike
 * the Response's (SAML 2.0 Profiles §4.1.4.2 requires it of an answer to an AuthnRequest).
 */
function signedInResponseTo(assertion: ParsedAssertion | undefined): string | undefined {
  const confirmations = assertion?.Assertion?.Subject?.[0]?.SubjectConfirmation ?? [];
  return confirmations.map((c) => c.SubjectConfirmationData?.[0]?.$?.InResponseTo).find((id) => id !== undefined);
}

/**
 * Checks the IdP's SAMLResponse (node-saml: the signature against the metadata's certificates, audience,
 * time conditions) and that its assertion comes from the IdP of the metadata, and reads its NameID and
 * attributes. `solicited`: it must answer one of our AuthnRequests; otherwise (IdP-initiated sign-in) it
 * must answer none, as Cognito requires, and have been issued in the last six minutes.
 */
export async function samlAnswer(
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  sp: ServiceProvider,
  samlResponse: string,
  now: Date,
  solicited = true,
): Promise<SamlAnswer> {
  const metadata = await samlMetadataOf(provider, details, now.getTime());
  const decryption = details.EncryptedResponses === 'true' ? details[ENCRYPTION_KEY_DETAIL] : undefined;
  if (decryption) checkEncrypted(provider, samlResponse);
  let profile: Profile | null;
  try {
    ({ profile } = await samlOf(metadata, sp, undefined, { decryption }).validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    const reason = error instanceof SamlStatusError ? `the identity provider answered ${error.xmlStatus}` : (error as Error).message;
    throw new ProviderExchangeError(`The SAML response of ${provider.providerName} is not valid: ${reason}`);
  }
  if (!profile?.nameID) throw new ProviderExchangeError(`The SAML response of ${provider.providerName} has no NameID.`);
  if (profile.issuer !== metadata.entityId) throw new ProviderExchangeError(`The SAML assertion was issued by ${profile.issuer}, not by ${provider.providerName} (${metadata.entityId}).`);
  const assertion = profile.getAssertion?.() as ParsedAssertion | undefined;
  const inResponseTo = signedInResponseTo(assertion);
  if (solicited && (!inResponseTo || (profile.inResponseTo !== undefined && profile.inResponseTo !== inResponseTo))) {
    throw new ProviderExchangeError(`The SAML response of ${provider.providerName} does not answer a sign-in Gatehouse started.`);
  }
  if (!solicited && (inResponseTo !== undefined || profile.inResponseTo !== undefined)) {
    throw new ProviderExchangeError(`The SAML response of ${provider.providerName} answers an AuthnRequest, so it is not for an IdP-initiated sign-in.`);
  }
  const assertionId = assertion?.Assertion?.$?.ID;
  const issuedAt = new Date(assertion?.Assertion?.$?.IssueInstant ?? Number.NaN);
  if (!assertionId || Number.isNaN(issuedAt.getTime())) throw new ProviderExchangeError(`The SAML assertion of ${provider.providerName} has no ID or IssueInstant.`);
  // Its ID is kept as used (IdP-initiated sign-in) in a column of this size.
  if (assertionId.length > MAX_ASSERTION_ID) throw new ProviderExchangeError(`The SAML assertion of ${provider.providerName} has an ID longer than ${MAX_ASSERTION_ID} characters.`);
  if (!solicited && (now.getTime() - issuedAt.getTime() > UNSOLICITED_ASSERTION_MS || issuedAt.getTime() - now.getTime() > CLOCK_SKEW_MS)) {
    throw new ProviderExchangeError(`The SAML assertion of ${provider.providerName} was issued at ${issuedAt.toISOString()}: an IdP-initiated sign-in takes assertions issued in the last ${UNSOLICITED_ASSERTION_MS / 60_000} minutes.`);
  }
  const claims: ProviderClaims = {};
  for (const [name, value] of Object.entries((profile.attributes ?? {}) as Record<string, unknown>)) {
    const text = attributeText(value);
    if (text !== undefined) claims[name] = text;
  }
  claims[NAME_ID_CLAIM] = profile.nameID;
  if (profile.nameIDFormat) claims[NAME_ID_FORMAT_CLAIM] = profile.nameIDFormat;
  if (profile.sessionIndex) claims[SESSION_INDEX_CLAIM] = profile.sessionIndex;
  return { inResponseTo, claims, assertionId, issuedAt };
}

/**
 * The Response's InResponseTo, unchecked: for a response that failed its checks, to tell whether it was
 * meant for this browser's sign-in (and so goes back to the client as an error) or not.
 */
export function uncheckedInResponseTo(samlResponse: string): string | undefined {
  return responseDocument(samlResponse)?.documentElement?.getAttribute('InResponseTo') || undefined;
}

/** A SAML sign-in as the hosted-UI session keeps it, for single logout; undefined for any other sign-in. */
export function samlSignInOf(provider: StoredIdentityProvider, claims: ProviderClaims): SamlSignIn | undefined {
  const nameId = claims[NAME_ID_CLAIM];
  if (provider.providerType !== 'SAML' || typeof nameId !== 'string') return undefined;
  const format = claims[NAME_ID_FORMAT_CLAIM];
  const sessionIndex = claims[SESSION_INDEX_CLAIM];
  return {
    provider: provider.providerName,
    nameId,
    ...(typeof format === 'string' && { nameIdFormat: format }),
    ...(typeof sessionIndex === 'string' && { sessionIndex }),
  };
}

/** The ID of a request of ours to an IdP (AuthnRequest, LogoutRequest): an xs:ID, which may not start with a digit or a dash. */
export function samlRequestId(ctx: ServiceContext): string {
  return `_${ctx.randomBytes(32).toString('base64url')}`;
}

/** Whether `value` has the shape of samlRequestId's ids: what an InResponseTo answering us must have. */
export const isSamlRequestId = (value: string): boolean => /^_[A-Za-z0-9_-]{43}$/.test(value);

/**
 * Single logout (IDPSignout): the IdP's SingleLogoutService URL with our LogoutRequest for the session the
 * sign-in began there (NameID, SessionIndex), HTTP-Redirect binding, always signed with the pool's signing
 * key (as Cognito signs it: the binding has no other way to show who asks); undefined when the metadata
 * offers no such service. `relayState` comes back with the IdP's LogoutResponse.
 */
export async function samlLogoutUrl(
  ctx: ServiceContext,
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  sp: ServiceProvider,
  signIn: SamlSignIn,
  requestId: string,
  relayState: string,
): Promise<URL | undefined> {
  const metadata = await samlMetadataOf(provider, details, ctx.now().getTime());
  if (!metadata.sloRedirectUrl) return undefined;
  const signing = (await poolSigningCertificate(ctx, provider.poolId)).privateKey;
  const saml = samlOf(metadata, sp, requestId, { signing, logoutUrl: metadata.sloRedirectUrl });
  const profile = { issuer: sp.entityId, nameID: signIn.nameId, nameIDFormat: signIn.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', sessionIndex: signIn.sessionIndex } as Profile;
  return new URL(await saml.getLogoutUrlAsync(profile, relayState, {}));
}

/** How a LogoutResponse arrives: HTTP-Redirect (deflated, its signature over the query as sent) or HTTP-POST (an enveloped signature). */
export type LogoutResponseBinding = { kind: 'redirect'; query: Record<string, string>; rawQuery: string } | { kind: 'post'; samlResponse: string };

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** The LogoutResponse's XML, inflated no further than a LogoutResponse can be (a deflate bomb stops here, before node-saml inflates it). */
function logoutResponseXml(binding: LogoutResponseBinding): string {
  if (binding.kind === 'post') return Buffer.from(binding.samlResponse, 'base64').toString('utf8');
  return inflateRawSync(Buffer.from(binding.query.SAMLResponse ?? '', 'base64'), { maxOutputLength: MAX_LOGOUT_RESPONSE_BYTES }).toString('utf8');
}

/**
 * The IdP's LogoutResponse, at /saml2/logout by either binding: a LogoutResponse from the metadata's entity,
 * answering our LogoutRequest, saying Success, and signed by a certificate of the metadata (node-saml: a
 * redirect's query signature, which must be there, or a POST's enveloped signature).
 */
export async function checkLogoutResponse(
  provider: StoredIdentityProvider,
  details: Record<string, string>,
  sp: ServiceProvider,
  binding: LogoutResponseBinding,
  requestId: string,
  now: Date,
): Promise<void> {
  const metadata = await samlMetadataOf(provider, details, now.getTime());
  try {
    const root = parsedXml(logoutResponseXml(binding))?.documentElement;
    if (root?.localName !== 'LogoutResponse' || root.namespaceURI !== PROTOCOL_NS) throw new Error('it is not a LogoutResponse');
    if (!safeEqual(root.getAttribute('InResponseTo') ?? '', requestId)) throw new Error('it does not answer our LogoutRequest');
    if (root.getElementsByTagNameNS(ASSERTION_NS, 'Issuer')[0]?.textContent?.trim() !== metadata.entityId) throw new Error(`it was not issued by ${metadata.entityId}`);
    const status = root.getElementsByTagNameNS(PROTOCOL_NS, 'StatusCode')[0]?.getAttribute('Value');
    if (status !== SUCCESS) throw new Error(`the identity provider answered ${status ?? 'no status'}`);
    const saml = samlOf(metadata, sp);
    if (binding.kind === 'post') await saml.validatePostResponseAsync({ SAMLResponse: binding.samlResponse });
    else if (!binding.query.Signature) throw new Error('it is not signed');
    else await saml.validateRedirectAsync(binding.query, binding.rawQuery);
  } catch (error) {
    throw new ProviderExchangeError(`The SAML logout response of ${provider.providerName} is not valid: ${(error as Error).message}`);
  }
}
