import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../security/safe-equal.js';
import type { HostedPool } from './hosted-pool.js';
import type { Params } from './params.js';
import { cookiePath } from './session.js';

const CSRF_COOKIE = 'gatehouse-csrf';
export const CSRF_FIELD = '_csrf';

/** A form was posted without the token its page carried: not from our page, or from a stale one. */
export class CsrfError extends Error {}

function tokenFor(hosted: HostedPool, cookie: string): string {
  return hosted.ctx.secrets.mac(`csrf:${hosted.pool.id}:${cookie}`);
}

/**
 * The token every form carries: a keyed hash of a random value kept in an HttpOnly cookie (signed double
 * submit). Another site can make a browser post to us, with the cookie, but cannot read the page to learn
 * the token; and it cannot set our cookie to a value it knows the token of.
 */
export function csrfToken(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): string {
  let cookie = request.cookies[CSRF_COOKIE];
  if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
    cookie = hosted.ctx.randomBytes(32).toString('base64url');
    reply.setCookie(CSRF_COOKIE, cookie, { path: cookiePath(hosted), httpOnly: true, secure: hosted.secure, sameSite: 'lax' });
    // The page being answered reads the cookie through the request, so remember the new one there too.
    request.cookies[CSRF_COOKIE] = cookie;
  }
  return tokenFor(hosted, cookie);
}

export function checkCsrf(hosted: HostedPool, request: FastifyRequest, form: Params): void {
  const cookie = request.cookies[CSRF_COOKIE];
  let sent: string | undefined;
  try {
    sent = form.get(CSRF_FIELD);
  } catch {
    sent = undefined;
  }
  if (!cookie || !sent) throw new CsrfError('The form was not sent from this site’s page, or the page is too old.');
  if (!safeEqual(tokenFor(hosted, cookie), sent)) {
    throw new CsrfError('The form was not sent from this site’s page, or the page is too old.');
  }
}
