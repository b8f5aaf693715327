import type { HostedPool } from '../oauth/hosted-pool.js';

/** How long the browser has to follow the redirect from a provider's cross-site POST to our own GET. */
export const CONTINUE_SECONDS = 120;

/**
 * A provider's answer that arrives as a cross-site POST (a SAML IdP's HTTP-POST binding, Sign in with
 * Apple's form_post) carries no SameSite=Lax cookie, so the browser's pending sign-in cannot be read where
 * it lands. What the POST brought is sealed (encrypted and authenticated, for this pool and purpose, for two
 * minutes) into the URL of a GET of our own, which does carry the cookie: `path?continue=<sealed>`.
 */
export function continuationUrl(hosted: HostedPool, path: string, purpose: string, value: object): string {
  return `${hosted.basePath}${path}?${new URLSearchParams({ continue: sealForBrowser(hosted, purpose, value) }).toString()}`;
}

/** `value` sealed for this pool and purpose, good for `seconds`: a token the browser carries and cannot read or change. */
export function sealForBrowser(hosted: HostedPool, purpose: string, value: object, seconds = CONTINUE_SECONDS): string {
  const sealed = { value, expiresAt: hosted.ctx.now().getTime() + seconds * 1000 };
  return hosted.ctx.secrets.encryptCompact(JSON.stringify(sealed), `${purpose}:${hosted.pool.id}`);
}

/** What sealForBrowser (or continuationUrl) sealed, unless the token is not one of ours for this purpose, or is too old. */
export function openContinuation<T>(hosted: HostedPool, purpose: string, token: string | undefined): T | undefined {
  if (!token) return undefined;
  try {
    const sealed = JSON.parse(hosted.ctx.secrets.decryptCompact(token, `${purpose}:${hosted.pool.id}`)) as { value: T; expiresAt: number };
    return sealed.expiresAt > hosted.ctx.now().getTime() ? sealed.value : undefined;
  } catch {
    return undefined;
  }
}
