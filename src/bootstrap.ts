import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { CreateUserPoolClientRequest, CreateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { DeclaredClient, DeclaredPool } from './config.js';
import type { RequestContext } from './context.js';
import { applyDeclaredGroups, applyDeclaredUsers } from './bootstrap-users.js';
import { ServiceError } from './protocol/errors.js';
import { userPoolsModel } from './protocol/service-model.js';
import { validateInput } from './protocol/validate-input.js';
import type { StoredUserPool } from './storage/user-pools-repository.js';
import { clientSettings } from './userpools/app-client-settings.js';
import { clientSecretOf, sealClientSecret } from './userpools/app-client-secrets.js';
import { createClient, updateClient } from './userpools/app-clients.js';
import { newClientId, newUserPoolId } from './userpools/ids.js';
import { addCustomAttributes, newCustomAttributes } from './userpools/pool-schema.js';
import { createPool } from './userpools/pools.js';
import { updatedPool } from './userpools/operations/update-user-pool.js';

export class BootstrapError extends Error {}

/** Deterministic bytes from a name, so an id derived from it is the same on every start. */
function seededBytes(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 32) {
      createHash('sha256').update(`${seed}\u0000${counter++}`).digest().copy(out, i, 0, Math.min(32, n - i));
    }
    return out;
  };
}

/**
 * Creates the pools and app clients the config file declares, or brings existing ones up to the declared
 * settings, so every start gives the same ids. Idempotent: a second run changes nothing. Declared members
 * are checked against the same service model as API requests, so a typo fails start-up with the message
 * the API would have given.
 */
export async function applyDeclaredPools(ctx: RequestContext, pools: DeclaredPool[]): Promise<void> {
  for (const [index, declared] of pools.entries()) {
    const where = `userPools[${index}] (${declared.PoolName})`;
    try {
      const { Id, Clients, Groups, Users, ...members } = declared;
      // Without an id, one is derived from the name, so the pool still keeps its id across restarts.
      const poolId = Id ?? newUserPoolId(seededBytes(declared.PoolName), ctx.region);
      await applyPool(ctx, poolId, validateInput<CreateUserPoolRequest>(userPoolsModel, 'CreateUserPoolRequest', members));
      for (const client of Clients) await applyClient(ctx, poolId, client);
      await applyDeclaredGroups(ctx, poolId, Groups);
      await applyDeclaredUsers(ctx, poolId, Users);
    } catch (error) {
      if (error instanceof ServiceError) throw new BootstrapError(`${where}: ${error.type}: ${error.message}`);
      throw error;
    }
  }
}

async function applyPool(ctx: RequestContext, poolId: string, request: CreateUserPoolRequest): Promise<void> {
  const existing = await ctx.repos.userPools.get(poolId);
  if (!existing) {
    await createPool(ctx, request, poolId);
    return;
  }
  // The schema and sign-in names are fixed at creation; custom attributes can only be added.
  const { Schema, AliasAttributes, UsernameAttributes, UsernameConfiguration, ...settable } = request;
  const declaredState = (pool: StoredUserPool): StoredUserPool => {
    const updated = updatedPool(pool, { ...settable, UserPoolId: poolId });
    const schema = updated.settings.userPool.SchemaAttributes ?? [];
    const added = newCustomAttributes(schema, Schema);
    if (added.length === 0) return updated;
    return { ...updated, settings: { ...updated.settings, userPool: { ...updated.settings.userPool, SchemaAttributes: addCustomAttributes(schema, added) } } };
  };
  // Written only when the declaration differs from what is stored, so a restart changes nothing, not even
  // LastModifiedDate, and nodes starting together do not rewrite the same rows.
  if (isDeepStrictEqual(declaredState(existing), existing)) return;
  await ctx.repos.userPools.update(poolId, ctx.now(), declaredState);
}

async function applyClient(ctx: RequestContext, poolId: string, declared: DeclaredClient): Promise<void> {
  const { ClientId, ...members } = declared;
  const clientId = ClientId ?? newClientId(seededBytes(`${poolId}/${declared.ClientName}`));
  const request = validateInput<CreateUserPoolClientRequest>(userPoolsModel, 'CreateUserPoolClientRequest', { ...members, UserPoolId: poolId });
  const existing = await ctx.repos.appClients.get(poolId, clientId);
  if (!existing) {
    await createClient(ctx, request, clientId);
    return;
  }
  const { GenerateSecret, ClientSecret, ...settable } = request;
  const secretChanged = ClientSecret !== undefined && clientSecretOf(ctx, existing) !== ClientSecret;
  // As for pools: an unchanged declaration writes nothing.
  const unchanged = existing.name === settable.ClientName && isDeepStrictEqual(existing.settings, clientSettings(settable, existing.encryptedSecret !== null));
  if (unchanged && !secretChanged) return;
  await updateClient(ctx, { ...settable, ClientId: clientId });
  if (secretChanged) {
    await ctx.repos.appClients.update(poolId, clientId, ctx.now(), (client) => ({ ...client, encryptedSecret: sealClientSecret(ctx, client, ClientSecret) }));
  }
}
