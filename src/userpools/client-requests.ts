import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../context.js';
import { NotAuthorizedException, ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { clientSecretOf } from './app-clients.js';

export interface ClientRequest {
  pool: StoredUserPool;
  client: StoredAppClient;
  /** The caller's context, in the region of the client's pool (unsigned requests carry no region). */
  ctx: RequestContext;
}

/**
 * Unsigned operations name only an app client: find it and its pool, and check SECRET_HASH when the
 * client has a secret — Base64(HMAC-SHA256(secret, username + clientId)), compared in constant time.
 */
export async function clientRequest(ctx: RequestContext, clientId: string, username: string | undefined, secretHash: string | undefined): Promise<ClientRequest> {
  const client = await ctx.repos.appClients.find(clientId);
  if (!client) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  const pool = await ctx.repos.userPools.get(client.poolId);
  if (!pool) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  const secret = clientSecretOf(ctx, client);
  if (secret !== undefined) {
    if (!secretHash) throw new NotAuthorizedException(`Client ${clientId} is configured with secret but SECRET_HASH was not received`);
    const expected = createHmac('sha256', secret).update(`${username ?? ''}${clientId}`).digest();
    const given = Buffer.from(secretHash, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new NotAuthorizedException(`Unable to verify secret hash for client ${clientId}`);
    }
  }
  return { pool, client, ctx: { ...ctx, region: pool.region } };
}

/** PreventUserExistenceErrors ENABLED: answer for a user that does not exist as if it did. */
export function hidesUserExistence(client: StoredAppClient): boolean {
  return client.settings.PreventUserExistenceErrors === 'ENABLED';
}
