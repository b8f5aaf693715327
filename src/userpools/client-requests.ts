import { createHmac } from 'node:crypto';
import { safeEqual } from '../security/safe-equal.js';
import type { RequestContext, ServiceContext } from '../context.js';
import { NotAuthorizedException, ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { clientSecretsOf } from './app-client-secrets.js';

export interface ClientRequest {
  pool: StoredUserPool;
  client: StoredAppClient;
  /** The caller's context, in the region of the client's pool (unsigned requests carry no region). */
  ctx: RequestContext;
}

/** Unsigned operations name only an app client: find it and its pool. */
export async function findClient(ctx: RequestContext, clientId: string): Promise<ClientRequest> {
  const client = await ctx.repos.appClients.find(clientId);
  const pool = client && (await ctx.repos.userPools.get(client.poolId));
  if (!client || !pool) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  return { pool, client, ctx: { ...ctx, region: pool.region } };
}

/** SECRET_HASH as a client computes it: HMAC-SHA256 keyed with the client secret over username + clientId. */
export function secretHashOf(secret: string, username: string, clientId: string): Buffer {
  return createHmac('sha256', secret).update(`${username}${clientId}`).digest();
}

/**
 * When the client has a secret, SECRET_HASH must be Base64(HMAC-SHA256(secret, username + clientId)) for
 * one of its secrets (two while it rotates them) and one of the names the caller may have used (the name
 * typed, or the internal username), compared in constant time.
 */
export function checkSecretHash(ctx: RequestContext, client: StoredAppClient, usernames: (string | undefined)[], secretHash: string | undefined): void {
  const secrets = clientSecretsOf(ctx, client);
  if (secrets.length === 0) return;
  if (!secretHash) throw new NotAuthorizedException(`Client ${client.clientId} is configured with secret but SECRET_HASH was not received`);
  const given = Buffer.from(secretHash, 'base64');
  const names = usernames.filter((name): name is string => name !== undefined);
  const matches = secrets.some(({ value }) => names.some((name) => safeEqual(given, secretHashOf(value, name, client.clientId))));
  if (!matches) throw new NotAuthorizedException(`Unable to verify secret hash for client ${client.clientId}`);
}

/** A client identified by id, with SECRET_HASH checked for `username`. */
export async function clientRequest(ctx: RequestContext, clientId: string, username: string | undefined, secretHash: string | undefined): Promise<ClientRequest> {
  const found = await findClient(ctx, clientId);
  checkSecretHash(ctx, found.client, [username], secretHash);
  return found;
}

/** Whether `given` is one of the client's secrets, compared in constant time; undefined for a client without one. */
export function clientSecretMatches(ctx: ServiceContext, client: StoredAppClient, given: string | undefined): boolean | undefined {
  const secrets = clientSecretsOf(ctx, client);
  if (secrets.length === 0) return undefined;
  return secrets.some(({ value }) => safeEqual(given ?? '', value));
}

/** A client that authenticates with its secret itself (GetTokensFromRefreshToken, RevokeToken). */
export function checkClientSecret(ctx: RequestContext, client: StoredAppClient, given: string | undefined): void {
  if (clientSecretMatches(ctx, client, given) === false) {
    throw new NotAuthorizedException(`Client ${client.clientId} is configured with secret but the secret is missing or wrong`);
  }
}

/** PreventUserExistenceErrors ENABLED: answer for a user that does not exist as if it did. */
export function hidesUserExistence(client: StoredAppClient): boolean {
  return client.settings.PreventUserExistenceErrors === 'ENABLED';
}
