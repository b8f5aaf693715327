import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredAuthSession } from '../../storage/auth-sessions-repository.js';

/**
 * The `Session` between a challenge and its answer: an opaque random string; the store keeps only its
 * keyed hash, it answers one response once, and it expires after the client's AuthSessionValidity.
 */
export async function openSession(
  ctx: ServiceContext,
  client: StoredAppClient,
  usernameKey: string,
  challenge: string,
  state: Record<string, unknown> = {},
): Promise<string> {
  return storeSession(ctx, client, ctx.randomBytes(48).toString('base64url'), usernameKey, challenge, state);
}

/**
 * A session that AssociateSoftwareToken and VerifySoftwareToken accept: those operations name no app
 * client, so the string starts with the pool id (`<poolId>.<random>`), which finds the pool's sessions.
 */
export async function openPoolSession(
  ctx: ServiceContext,
  client: StoredAppClient,
  usernameKey: string,
  challenge: string,
  state: Record<string, unknown> = {},
): Promise<string> {
  return storeSession(ctx, client, `${client.poolId}.${ctx.randomBytes(48).toString('base64url')}`, usernameKey, challenge, state);
}

/**
 * Stores a challenge's session under `session`: a new random string (openSession, openPoolSession), or the
 * string of the session just answered (and taken, so stored no more), for clients that answer the next
 * challenge with the session they already hold — amazon-cognito-identity-js does so after an MFA code
 * (CognitoUser.sendMFACode answers DEVICE_SRP_AUTH without keeping its Session). Either way the string stays
 * single use: it answers this challenge, once.
 */
export async function storeSession(
  ctx: ServiceContext,
  client: StoredAppClient,
  session: string,
  usernameKey: string,
  challenge: string,
  state: Record<string, unknown>,
): Promise<string> {
  await ctx.repos.authSessions.insert({
    poolId: client.poolId,
    sessionHash: sessionHash(ctx, session),
    clientId: client.clientId,
    usernameKey,
    challenge,
    state,
    expiresAt: new Date(ctx.now().getTime() + (client.settings.AuthSessionValidity ?? 3) * 60_000),
  });
  return session;
}

const sessionHash = (ctx: ServiceContext, session: string) => ctx.secrets.mac(`auth-session:${session}`);

export async function takeSession(ctx: ServiceContext, client: StoredAppClient, session: string | undefined, challenge: string): Promise<StoredAuthSession> {
  const stored = session ? await ctx.repos.authSessions.take(client.poolId, sessionHash(ctx, session)) : undefined;
  if (!stored || stored.clientId !== client.clientId) throw new NotAuthorizedException('Invalid session for the user.');
  return live(ctx, stored, challenge);
}

/** Takes a session opened with openPoolSession, for an operation that names no client. */
export async function takePoolSession(ctx: ServiceContext, session: string, challenge: string): Promise<StoredAuthSession> {
  const dot = session.indexOf('.');
  const stored = dot > 0 ? await ctx.repos.authSessions.take(session.slice(0, dot), sessionHash(ctx, session)) : undefined;
  if (!stored) throw new NotAuthorizedException('Invalid session for the user.');
  return live(ctx, stored, challenge);
}

function live(ctx: ServiceContext, stored: StoredAuthSession, challenge: string): StoredAuthSession {
  if (stored.challenge !== challenge) throw new NotAuthorizedException('Invalid session for the user.');
  if (stored.expiresAt.getTime() <= ctx.now().getTime()) throw new NotAuthorizedException('Invalid session for the user, session is expired.');
  return stored;
}

/**
 * Puts a taken session back, unchanged but for its state, after an answer that failed in a way the user
 * may retry (a mistyped MFA code). Taking it first still serialises the answers: two guesses racing on
 * one session are never both compared.
 */
export async function returnSession(ctx: ServiceContext, stored: StoredAuthSession, state: Record<string, unknown>): Promise<void> {
  await ctx.repos.authSessions.insert({ ...stored, state });
}
