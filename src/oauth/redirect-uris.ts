import type { StoredAppClient } from '../storage/app-clients-repository.js';

/**
 * Redirect URIs match a registered one exactly, character for character (RFC 6749 §3.1.2.3, and the
 * OAuth security BCP: no prefix or pattern matching). Nothing is ever sent to a URI that does not.
 */
export function isRegisteredCallback(client: StoredAppClient, uri: string): boolean {
  return (client.settings.CallbackURLs ?? []).includes(uri);
}

export function isRegisteredSignOut(client: StoredAppClient, uri: string): boolean {
  return (client.settings.LogoutURLs ?? []).includes(uri);
}

/**
 * What the pages' Content-Security-Policy `form-action` must allow for a form whose answer redirects to
 * `uri` (browsers apply form-action to redirects after a submission): its origin, or its scheme for an
 * app's custom scheme (myapp://callback).
 */
export function formActionSource(uri: string): string {
  const url = new URL(uri);
  return url.origin !== 'null' ? url.origin : url.protocol;
}
