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
  const session = ctx.randomBytes(48).toString('base64url');
  await ctx.repos.authSessions.insert({
    poolId: client.poolId,
    sessionHash: ctx.secrets.mac(`auth-session:${session}`),
    clientId: client.clientId,
    usernameKey,
    challenge,
    state,
    expiresAt: new Date(ctx.now().getTime() + (client.settings.AuthSessionValidity ?? 3) * 60_000),
  });
  return session;
}

export async function takeSession(ctx: ServiceContext, client: StoredAppClient, session: string | undefined, challenge: string): Promise<StoredAuthSession> {
  const stored = session ? await ctx.repos.authSessions.take(client.poolId, ctx.secrets.mac(`auth-session:${session}`)) : undefined;
  if (!stored || stored.clientId !== client.clientId || stored.challenge !== challenge) throw new NotAuthorizedException('Invalid session for the user.');
  if (stored.expiresAt.getTime() <= ctx.now().getTime()) throw new NotAuthorizedException('Invalid session for the user, session is expired.');
  return stored;
}
