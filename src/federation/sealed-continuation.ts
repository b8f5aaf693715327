import { BadAuthorizationRequest } from '../oauth/authorization-request.js';
import type { HostedPool } from '../oauth/hosted-pool.js';
import type { Params } from '../oauth/params.js';

/** How long the browser has to follow the redirect from a provider's cross-site POST to our own GET. */
export const CONTINUE_SECONDS = 120;

/**
 * `value`, sealed for this pool and purpose, kept in the store for `seconds`, under a random id that is all
 * the browser or the provider carries: 43 characters, whatever the value. Only for what a provider's
 * signature or the browser's session vouches for: a POST that anyone can send must not write to the store.
 */
export async function keepForBrowser(hosted: HostedPool, purpose: string, value: object, seconds: number, id = newKeptId(hosted)): Promise<string> {
  const { ctx, pool } = hosted;
  const now = ctx.now();
  if (ctx.randomBytes(1)[0] < 4) await ctx.repos.browserContinuations.deleteExpired(now);
  await ctx.repos.browserContinuations.insert(pool.id, keptKey(hosted, purpose, id), sealForBrowser(hosted, purpose, value, seconds), new Date(now.getTime() + seconds * 1000));
  return id;
}

/** An id for keepForBrowser, when it must be known before the value is kept (to be sure it will be used). */
export const newKeptId = (hosted: HostedPool): string => hosted.ctx.randomBytes(32).toString('base64url');

/** What keepForBrowser kept under an id, and how to use it up once whoever brought the id proves to be the one it is for. */
export interface Kept<T> {
  value: T;
  /** False when another request used it first. */
  take(): Promise<boolean>;
}

/**
 * What keepForBrowser kept under `id` for this purpose; undefined when there is none or it is too old.
 * Read, not used up: a browser that is not the one a sign-in is for must not spoil it for the one that is.
 */
export async function readKept<T>(hosted: HostedPool, purpose: string, id: string | undefined): Promise<Kept<T> | undefined> {
  if (!id) return undefined;
  const key = keptKey(hosted, purpose, id);
  const value = openContinuation<T>(hosted, purpose, await hosted.ctx.repos.browserContinuations.get(hosted.pool.id, key));
  return value === undefined ? undefined : { value, take: () => hosted.ctx.repos.browserContinuations.take(hosted.pool.id, key) };
}

/** Longer sealed continuations are refused rather than sent: browsers, proxies and Node take 8-16 KB of request head. */
const MAX_SEALED_CONTINUATION = 6 * 1024;

/**
 * A provider's answer that arrives as a cross-site POST (a SAML IdP's HTTP-POST binding, Sign in with
 * Apple's form_post) carries no SameSite=Lax cookie, so the browser's pending sign-in cannot be read where
 * it lands. The browser is sent on to a GET of our own, which does carry the cookie, with what the POST
 * brought, good for two minutes: sealed into the URL (`?continue=`) when it is small and nothing has
 * vouched for it yet (Apple's form, a refused SAML response), so that nothing is stored for a POST anyone
 * can send; kept in the store (`?kept=`, keptContinuationUrl) when a provider's signature vouches for it
 * (a SAML assertion's claims, which can outgrow any URL a browser will follow).
 */
export function continuationUrl(hosted: HostedPool, path: string, purpose: string, value: object): string {
  const sealed = sealForBrowser(hosted, purpose, value, CONTINUE_SECONDS);
  if (sealed.length > MAX_SEALED_CONTINUATION) throw new BadAuthorizationRequest("The sign-in with the identity provider cannot continue: the provider's answer is too large.");
  return `${hosted.basePath}${path}?${new URLSearchParams({ continue: sealed }).toString()}`;
}

export async function keptContinuationUrl(hosted: HostedPool, path: string, purpose: string, value: object): Promise<string> {
  const id = await keepForBrowser(hosted, purpose, value, CONTINUE_SECONDS);
  return `${hosted.basePath}${path}?${new URLSearchParams({ kept: id }).toString()}`;
}

/**
 * The continuation a GET carries, either way; undefined when it is not one of ours for this purpose, or
 * is too old. A sealed one cannot be used up (`take` is always true): the browser's pending sign-in,
 * taken alongside, makes it good once.
 */
export async function readContinuation<T>(hosted: HostedPool, purpose: string, query: Params): Promise<Kept<T> | undefined> {
  const kept = query.get('kept');
  if (kept !== undefined) return readKept<T>(hosted, purpose, kept);
  const value = openContinuation<T>(hosted, purpose, query.get('continue'));
  return value === undefined ? undefined : { value, take: async () => true };
}

/** Stored as a keyed hash, like codes: the store alone does not give what the URLs would. */
const keptKey = (hosted: HostedPool, purpose: string, id: string): string => hosted.ctx.secrets.mac(`${purpose}:${id}`);

/** `value` sealed for this pool and purpose, good for `seconds`: a token the browser carries and cannot read or change. */
export function sealForBrowser(hosted: HostedPool, purpose: string, value: object, seconds = CONTINUE_SECONDS): string {
  const sealed = { value, expiresAt: hosted.ctx.now().getTime() + seconds * 1000 };
  return hosted.ctx.secrets.encryptCompact(JSON.stringify(sealed), `${purpose}:${hosted.pool.id}`);
}

/** What sealForBrowser sealed, unless the token is not one of ours for this purpose, or is too old. */
export function openContinuation<T>(hosted: HostedPool, purpose: string, token: string | undefined): T | undefined {
  if (!token) return undefined;
  try {
    const sealed = JSON.parse(hosted.ctx.secrets.decryptCompact(token, `${purpose}:${hosted.pool.id}`)) as { value: T; expiresAt: number };
    return sealed.expiresAt > hosted.ctx.now().getTime() ? sealed.value : undefined;
  } catch {
    return undefined;
  }
}
