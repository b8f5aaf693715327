import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import * as xmlenc from 'xml-encryption';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');

/** The test IdP's key pair and self-signed certificate (test/fixtures, made with openssl req -x509). */
export const IDP_KEY = fixture('saml-idp.key');
export const IDP_CERT = fixture('saml-idp.crt');

/**
 * An external SAML 2.0 identity provider on loopback, for federation tests: it serves its metadata (at
 * `metadataUrl`) and builds signed responses for whoever the test says signed in. Its SSO URL is never
 * visited: the test reads the AuthnRequest from the redirect to it.
 */
export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  /** Its SingleLogoutService (HTTP-Redirect), in the metadata; never visited either. */
  sloUrl: string;
  metadataUrl: string;
  metadata: string;
  close(): Promise<void>;
}

const base64Cert = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

export function samlMetadata(entityId: string, ssoUrl: string, certificatePem = IDP_CERT): string {
  return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Cert(certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl.replace(/\/sso$/, '/slo')}"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

export async function startSamlIdp(): Promise<TestSamlIdp> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const entityId = `${origin}/idp`;
  const ssoUrl = `${origin}/sso`;
  const metadata = samlMetadata(entityId, ssoUrl);
  http.on('request', (request, response) => {
    if (request.url === '/metadata') response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
    else response.writeHead(404).end();
  });
  return { entityId, ssoUrl, sloUrl: `${origin}/slo`, metadata, metadataUrl: `${origin}/metadata`, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

/** The AuthnRequest of the redirect to the IdP (HTTP-Redirect binding: base64, raw deflate). */
export interface AuthnRequest {
  id: string;
  acsUrl: string;
  /** The service provider's entity ID: the audience its assertions must name. */
  issuer: string;
  relayState: string;
}

export function readAuthnRequest(url: URL): AuthnRequest {
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const request = new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
  const issuer = request.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent ?? '';
  return { id: request.getAttribute('ID')!, acsUrl: request.getAttribute('AssertionConsumerServiceURL')!, issuer, relayState: url.searchParams.get('RelayState') ?? '' };
}

export interface Assertion {
  nameId: string;
  attributes?: Record<string, string | string[]>;
  /** Another InResponseTo than the request's; null for none (an IdP-initiated sign-in's, unsolicited). */
  inResponseTo?: string | null;
  /** When the response and assertion were issued; nine minutes ago by default (within the time conditions). */
  issuedAt?: Date;
  /** When the assertion stops being good; five minutes from now by default. */
  notOnOrAfter?: Date;
  /** Another signing key (and its certificate) than the IdP's. */
  key?: string;
  certificate?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The base64 SAMLResponse the IdP's page would post to the ACS: an assertion signed as an enveloped signature (RSA-SHA256, exclusive c14n). */
export function samlResponse(idp: Pick<TestSamlIdp, 'entityId'>, request: AuthnRequest, assertion: Assertion): string {
  const now = new Date();
  const notOnOrAfter = (assertion.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const notBefore = new Date(Math.min(now.getTime(), Date.parse(notOnOrAfter)) - 60_000 * 10).toISOString();
  const issueInstant = (assertion.issuedAt ?? new Date(Date.parse(notBefore) + 60_000)).toISOString();
  const inResponseTo = assertion.inResponseTo === undefined ? request.id : assertion.inResponseTo;
  const answering = (attribute: string) => (inResponseTo === null ? '' : ` ${attribute}="${escape(inResponseTo)}"`);
  const attributes = Object.entries(assertion.attributes ?? {})
    .map(([name, value]) => `<saml:Attribute Name="${escape(name)}">${[value].flat().map((v) => `<saml:AttributeValue>${escape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
    .join('');
  const assertionId = `_a${randomUUID()}`;
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${issueInstant}" Destination="${escape(request.acsUrl)}"${answering('InResponseTo')}>` +
    `<saml:Issuer>${escape(idp.entityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    // The assertion declares its own namespace, so that it stands alone once encrypted (encryptAssertion).
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${issueInstant}">` +
    `<saml:Issuer>${escape(idp.entityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escape(assertion.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(request.acsUrl)}"${answering('InResponseTo')}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escape(request.issuer)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${issueInstant}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes && `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`) +
    `</saml:Assertion></samlp:Response>`;
  return Buffer.from(envelopedSignature(xml, 'Assertion', assertion.key, assertion.certificate)).toString('base64');
}

/** `xml` with its `element` signed as an IdP signs it: an enveloped signature (RSA-SHA256, exclusive c14n) right after the element's Issuer, where the schema puts it. */
function envelopedSignature(xml: string, element: string, key = IDP_KEY, certificate = IDP_CERT): string {
  const signature = new SignedXml({
    privateKey: key,
    publicCert: certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signature.addReference({
    xpath: `//*[local-name(.)='${element}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signature.computeSignature(xml, { location: { reference: `//*[local-name(.)='${element}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return signature.getSignedXml();
}

/**
 * The response with its (signed) assertion encrypted to `certificate` (base64 DER, as Describe shows a
 * provider's ActiveEncryptionCertificate), as an IdP encrypts for a service provider: an EncryptedAssertion,
 * AES-256-CBC under an RSA-OAEP key transport (xml-encryption, node-saml's own).
 */
export async function encryptAssertion(response: string, certificate: string): Promise<string> {
  const xml = Buffer.from(response, 'base64').toString('utf8');
  const start = xml.indexOf('<saml:Assertion ');
  const end = xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
  const publicKey = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const encrypted = await new Promise<string>((resolve, reject) =>
    xmlenc.encrypt(
      xml.slice(start, end),
      { rsa_pub: publicKey, pem, encryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', disallowEncryptionWithInsecureAlgorithm: true },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  return Buffer.from(`${xml.slice(0, start)}<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>${xml.slice(end)}`).toString('base64');
}

/** The LogoutRequest of the redirect to the IdP's SingleLogoutService (single logout). */
export interface LogoutRequest {
  id: string;
  issuer: string;
  nameId: string;
  sessionIndex: string | undefined;
  relayState: string;
}

export function readLogoutRequest(url: URL): LogoutRequest {
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const request = new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
  const first = (ns: string, name: string) => request.getElementsByTagNameNS(ns, name)[0]?.textContent ?? undefined;
  return {
    id: request.getAttribute('ID')!,
    issuer: first('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer') ?? '',
    nameId: first('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID') ?? '',
    sessionIndex: first('urn:oasis:names:tc:SAML:2.0:protocol', 'SessionIndex'),
    relayState: url.searchParams.get('RelayState') ?? '',
  };
}

/**
 * The query of the IdP's redirect back with its LogoutResponse (HTTP-Redirect binding: deflated, base64),
 * signed as that binding signs (SAML Bindings §3.4.4.1: RSA-SHA256 over SAMLResponse, RelayState and SigAlg
 * as they stand in the query), unless `signed` is false.
 */
function logoutResponseXml(idp: Pick<TestSamlIdp, 'entityId'>, request: LogoutRequest, options: LogoutResponseOptions): string {
  return (
    `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l${randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${escape(options.inResponseTo ?? request.id)}">` +
    `<saml:Issuer>${escape(idp.entityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${options.status ?? 'Success'}"/></samlp:Status></samlp:LogoutResponse>`
  );
}

export interface LogoutResponseOptions {
  inResponseTo?: string;
  /** The last part of the status code: Success unless given. */
  status?: string;
  signed?: boolean;
  /** Signed with another key than the IdP's. */
  key?: string;
}

export function logoutResponseQuery(idp: Pick<TestSamlIdp, 'entityId'>, request: LogoutRequest, options: LogoutResponseOptions = {}): string {
  const signedPart = [
    `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(logoutResponseXml(idp, request, options))).toString('base64'))}`,
    `RelayState=${encodeURIComponent(request.relayState)}`,
    `SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`,
  ].join('&');
  if (options.signed === false) return signedPart;
  const signature = createSign('RSA-SHA256').update(signedPart).sign(options.key ?? IDP_KEY, 'base64');
  return `${signedPart}&Signature=${encodeURIComponent(signature)}`;
}

/** The form the IdP's page posts back with its LogoutResponse (HTTP-POST binding: base64, an enveloped signature). */
export function logoutResponseForm(idp: Pick<TestSamlIdp, 'entityId'>, request: LogoutRequest, options: LogoutResponseOptions = {}): Record<string, string> {
  const xml = logoutResponseXml(idp, request, options);
  const signed = options.signed === false ? xml : envelopedSignature(xml, 'LogoutResponse', options.key);
  return { SAMLResponse: Buffer.from(signed).toString('base64'), RelayState: request.relayState };
}
