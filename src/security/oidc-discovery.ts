import { isHttpsOrLoopback } from './loopback.js';

/** How long a provider's discovery document (or its keys) may take to arrive. */
export const DISCOVERY_TIMEOUT_MS = 5000;

/** A provider endpoint Gatehouse may fetch from or send a secret to: an https URL, or http to a loopback host. */
export function reachableUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const url = new URL(text);
    return isHttpsOrLoopback(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A provider's document (discovery, SAML metadata) fetched as every such fetch must be: no redirect
 * followed (a redirect could lead anywhere), within the timeout, and only a 2xx answer taken.
 */
export async function fetchFromProvider(url: string, what: string): Promise<Response> {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${what} answered ${response.status}`);
  return response;
}

/**
 * The issuer's OpenID Connect discovery document (OpenID Connect Discovery 1.0 §4): fetched from
 * `<issuer>/.well-known/openid-configuration` (a trailing slash of the issuer dropped first, §4.1), without
 * following redirects, and refused unless its `issuer` is exactly the one asked for (§4.3), so a document
 * cannot speak for another issuer. Throws an Error saying what went wrong.
 */
export async function fetchDiscoveryDocument(issuer: string): Promise<Record<string, unknown>> {
  const response = await fetchFromProvider(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, 'discovery');
  const document = (await response.json()) as unknown;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('discovery document is not a JSON object');
  if ((document as { issuer?: unknown }).issuer !== issuer) throw new Error('discovery document names another issuer');
  return document as Record<string, unknown>;
}
