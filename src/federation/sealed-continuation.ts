import type { HostedPool } from '../oauth/hosted-pool.js';

/** How long the browser has to follow the redirect from a provider's cross-site POST to our own GET. */
export const CONTINUE_SECONDS = 120;

/**
 * A provider's answer that arrives as a cross-site POST (a SAML IdP's HTTP-POST binding, Sign in with
 * Apple's form_post) carries no SameSite=Lax cookie, so the browser's pending sign-in cannot be read where
 * it lands. What the POST brought is kept, sealed for this pool and purpose, for two minutes and once, and
 * the browser sent to a GET of our own, which does carry the cookie: `path?continue=<id>`. Kept in the
 * store, not sealed into the URL: an assertion's attributes can outgrow any URL a browser will follow.
 */
export async function continuationUrl(hosted: HostedPool, path: string, purpose: string, value: object): Promise<string> {
  const { ctx, pool } = hosted;
  const id = ctx.randomBytes(32).toString('base64url');
  const now = ctx.now();
  if (ctx.randomBytes(1)[0] < 4) await ctx.repos.browserContinuations.deleteExpired(now);
  await ctx.repos.browserContinuations.insert(pool.id, continuationKey(hosted, purpose, id), sealForBrowser(hosted, purpose, value), new Date(now.getTime() + CONTINUE_SECONDS * 1000));
  return `${hosted.basePath}${path}?${new URLSearchParams({ continue: id }).toString()}`;
}

/** What continuationUrl kept under `id`, and how to use it up once the browser proves to be the one it is for. */
export interface Continuation<T> {
  value: T;
  /** False when another request used it first. */
  take(): Promise<boolean>;
}

/**
 * What continuationUrl kept under `id` for this purpose; undefined when there is none or it is too old.
 * Read, not used up: a browser that is not the one the sign-in is for must not spoil it for the one that is.
 */
export async function readContinuation<T>(hosted: HostedPool, purpose: string, id: string | undefined): Promise<Continuation<T> | undefined> {
  if (!id) return undefined;
  const key = continuationKey(hosted, purpose, id);
  const value = openContinuation<T>(hosted, purpose, await hosted.ctx.repos.browserContinuations.get(hosted.pool.id, key));
  return value === undefined ? undefined : { value, take: () => hosted.ctx.repos.browserContinuations.take(hosted.pool.id, key) };
}

/** Stored as a keyed hash, like codes: the store alone does not give what the URLs would. */
const continuationKey = (hosted: HostedPool, purpose: string, id: string): string => hosted.ctx.secrets.mac(`${purpose}:${id}`);

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
