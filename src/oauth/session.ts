import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SamlSignIn, StoredHostedUiSession } from '../storage/hosted-ui-sessions-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import { maySignIn } from '../userpools/users/users.js';
import type { HostedPool } from './hosted-pool.js';

/** Cognito's hosted-UI session lasts an hour (TOKENS.md §1, Validity). */
const SESSION_SECONDS = 3600;
const SESSION_COOKIE = 'gatehouse-session';

export interface HostedSession {
  user: StoredUser;
  authTime: Date;
}

/** Where the pool's cookies apply: its own path (`/<poolId>`), or the whole of its own domain. */
export function cookiePath(hosted: HostedPool): string {
  return hosted.basePath === '' ? '/' : hosted.basePath;
}

function sessionHash(hosted: HostedPool, id: string): string {
  return hosted.ctx.secrets.mac(`hosted-ui-session:${hosted.pool.id}:${id}`);
}

/**
 * After a sign-in through the pages: a server-side session named by a random id in a signed, HttpOnly,
 * SameSite=Lax cookie (Secure over https). Any client of the pool signs in through it until it expires,
 * the user logs out, or the user is signed out globally (GlobalSignOut, AdminUserGlobalSignOut delete the
 * user's sessions, so checking one costs no extra read). A new id every time (no session fixation); the
 * session it replaces ends.
 */
export async function startSession(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  user: StoredUser,
  authTime: Date,
  samlSignIn?: SamlSignIn,
): Promise<void> {
  const { ctx, pool } = hosted;
  const previous = sessionId(request);
  if (previous) await ctx.repos.hostedUiSessions.delete(pool.id, sessionHash(hosted, previous));
  const id = ctx.randomBytes(32).toString('base64url');
  const now = ctx.now();
  await ctx.repos.hostedUiSessions.insert({
    poolId: pool.id,
    sessionHash: sessionHash(hosted, id),
    usernameKey: user.usernameKey,
    sub: user.sub,
    authTime,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000),
    ...(samlSignIn && { samlSignIn }),
  });
  // Ended sessions are few and small; sweeping now and then keeps the table from growing.
  if (ctx.randomBytes(1)[0] < 4) await ctx.repos.hostedUiSessions.deleteExpired(now);
  reply.setCookie(SESSION_COOKIE, id, {
    path: cookiePath(hosted),
    httpOnly: true,
    secure: hosted.secure,
    sameSite: 'lax',
    maxAge: SESSION_SECONDS,
    signed: true,
  });
}

function sessionId(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/** The signed-in user, when the cookie names a live session of this pool and the user may still sign in. */
export async function currentSession(hosted: HostedPool, request: FastifyRequest): Promise<HostedSession | undefined> {
  const id = sessionId(request);
  if (!id) return undefined;
  const { ctx, pool } = hosted;
  const stored = await ctx.repos.hostedUiSessions.get(pool.id, sessionHash(hosted, id));
  if (!stored || stored.expiresAt.getTime() <= ctx.now().getTime()) return undefined;
  const user = await ctx.repos.users.get(pool.id, stored.usernameKey);
  // A disabled user, one who must reset the password, or a new user under the old name is not signed in.
  if (!user || user.sub !== stored.sub || !maySignIn(user)) return undefined;
  return { user, authTime: stored.authTime };
}

/**
 * Logout: the session ends on the server (for every client of the pool) and the cookie is cleared. The
 * session that ended is returned: one that began at a SAML IdP may have to end there too.
 */
export async function endSession(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<StoredHostedUiSession | undefined> {
  const id = sessionId(request);
  reply.clearCookie(SESSION_COOKIE, { path: cookiePath(hosted), httpOnly: true, secure: hosted.secure, sameSite: 'lax' });
  return id ? hosted.ctx.repos.hostedUiSessions.delete(hosted.pool.id, sessionHash(hosted, id)) : undefined;
}
