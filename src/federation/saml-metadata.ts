import { DOMParser } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { BoundedMap } from '../bounded-map.js';
import { fetchFromProvider, reachableUrl } from '../security/oidc-discovery.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { providerVersion } from './identity-providers.js';
import { ProviderExchangeError } from './oauth-provider-client.js';

/** What a sign-in needs from a SAML identity provider's metadata (SAML 2.0 Metadata, saml-metadata-2.0-os). */
export interface SamlIdpMetadata {
  entityId: string;
  /** Where the AuthnRequest goes: the SingleSignOnService of the HTTP-Redirect binding. */
  ssoRedirectUrl: string;
  /** The certificates the IdP signs with (base64 DER, as in the metadata). */
  signingCertificates: string[];
  /** Where a LogoutRequest goes (single logout): the SingleLogoutService of the HTTP-Redirect binding, when it has one. */
  sloRedirectUrl?: string;
}

const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
/** Providers whose parsed metadata is kept between sign-ins. */
const METADATA_KEPT = 500;
/** Metadata read from a MetadataURL is read again after this long, so a certificate the IdP rolls over is seen. */
const URL_METADATA_MS = 60 * 60 * 1000;

const select = xpath.useNamespaces({ md: 'urn:oasis:names:tc:SAML:2.0:metadata', ds: 'http://www.w3.org/2000/09/xmldsig#' });
const kept = new BoundedMap<string, { metadata: SamlIdpMetadata; readAt: number }>(METADATA_KEPT);

const text = (node: unknown) => (node as Node | undefined)?.nodeValue ?? (node as Node | undefined)?.textContent ?? undefined;

/** Reads the IdP's entity ID, redirect-binding SSO URL and signing certificates; throws saying what is missing. */
export function parseSamlMetadata(xml: string): SamlIdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc?.documentElement) throw new Error('the metadata is not well-formed XML');
  const root = doc as unknown as Node;
  // The EntityDescriptor with an IDPSSODescriptor: the document's root, or one of an EntitiesDescriptor.
  const entity = select('//md:EntityDescriptor[md:IDPSSODescriptor]', root, true) as Node | undefined;
  if (!entity) throw new Error('the metadata has no EntityDescriptor with an IDPSSODescriptor');
  const entityId = (entity as Element).getAttribute('entityID');
  const ssoRedirectUrl = text(select(`md:IDPSSODescriptor/md:SingleSignOnService[@Binding='${HTTP_REDIRECT}']/@Location`, entity, true));
  const signingCertificates = (select("md:IDPSSODescriptor/md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate", entity) as Node[])
    .map((node) => (text(node) ?? '').replace(/\s+/g, ''))
    .filter((certificate) => certificate !== '');
  if (!entityId) throw new Error('the metadata has no entityID');
  if (!ssoRedirectUrl || !reachableUrl(ssoRedirectUrl)) throw new Error('the metadata has no https SingleSignOnService for the HTTP-Redirect binding');
  if (signingCertificates.length === 0) throw new Error('the metadata has no signing certificate');
  const sloRedirectUrl = text(select(`md:IDPSSODescriptor/md:SingleLogoutService[@Binding='${HTTP_REDIRECT}']/@Location`, entity, true));
  return { entityId, ssoRedirectUrl, signingCertificates, ...(sloRedirectUrl && reachableUrl(sloRedirectUrl) && { sloRedirectUrl }) };
}

/** MetadataURL's document: https or loopback http only. */
async function fetchMetadata(url: string): Promise<string> {
  if (!reachableUrl(url)) throw new Error('MetadataURL is neither https nor on this machine');
  return (await fetchFromProvider(url, 'MetadataURL')).text();
}

/**
 * The provider's metadata, from its MetadataFile or its MetadataURL, parsed once per provider version
 * (an UpdateIdentityProvider starts afresh) and, when fetched, once an hour.
 */
export async function samlMetadataOf(provider: StoredIdentityProvider, details: Record<string, string>, now: number): Promise<SamlIdpMetadata> {
  const key = providerVersion(provider);
  const cached = kept.get(key);
  if (cached && (details.MetadataFile || now - cached.readAt < URL_METADATA_MS)) return cached.metadata;
  try {
    const metadata = parseSamlMetadata(details.MetadataFile ?? (await fetchMetadata(details.MetadataURL)));
    kept.set(key, { metadata, readAt: now });
    return metadata;
  } catch (error) {
    throw new ProviderExchangeError(`The SAML metadata of ${provider.providerName} cannot be used: ${(error as Error).message}`);
  }
}
