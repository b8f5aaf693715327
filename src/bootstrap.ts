import { createHash } from 'node:crypto';
import type { CreateUserPoolClientRequest, CreateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { DeclaredClient, DeclaredPool } from './config.js';
import type { RequestContext } from './context.js';
import { ServiceError } from './protocol/errors.js';
import { userPoolsModel } from './protocol/service-model.js';
import { validateInput } from './protocol/validate-input.js';
import { clientSecretOf, createClient, sealClientSecret, updateClient } from './userpools/app-clients.js';
import { newClientId, newUserPoolId } from './userpools/ids.js';
import { addCustomAttributes, newCustomAttributes } from './userpools/pool-schema.js';
import { createPool } from './userpools/pools.js';
import { updateUserPool } from './userpools/operations/update-user-pool.js';

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
      const { Id, Clients, ...members } = declared;
      // Without an id, one is derived from the name, so the pool still keeps its id across restarts.
      const poolId = Id ?? newUserPoolId(seededBytes(declared.PoolName), ctx.region);
      await applyPool(ctx, poolId, validateInput<CreateUserPoolRequest>(userPoolsModel, 'CreateUserPoolRequest', members));
      for (const client of Clients) await applyClient(ctx, poolId, client);
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
  await updateUserPool(ctx, { ...settable, UserPoolId: poolId });
  const added = newCustomAttributes(existing.settings.userPool.SchemaAttributes ?? [], Schema);
  if (added.length > 0) {
    await ctx.repos.userPools.update(poolId, ctx.now(), (pool) => ({
      ...pool,
      settings: {
        ...pool.settings,
        userPool: { ...pool.settings.userPool, SchemaAttributes: addCustomAttributes(pool.settings.userPool.SchemaAttributes ?? [], added) },
      },
    }));
  }
}

async function applyClient(ctx: RequestContext, poolId: string, declared: DeclaredClient): Promise<void> {
  const { ClientId, ...members } = declared;
  const clientId = ClientId ?? newClientId(seededBytes(`${poolId}/${declared.ClientName}`));
  const request = validateInput<CreateUserPoolClientRequest>(userPoolsModel, 'CreateUserPoolClientRequest', { ...members, UserPoolId: poolId });
  if (!(await ctx.repos.appClients.get(poolId, clientId))) {
    await createClient(ctx, request, clientId);
    return;
  }
  const { GenerateSecret, ClientSecret, ...settable } = request;
  await updateClient(ctx, { ...settable, ClientId: clientId });
  if (ClientSecret !== undefined) {
    await ctx.repos.appClients.update(poolId, clientId, ctx.now(), (client) =>
      clientSecretOf(ctx, client) === ClientSecret ? client : { ...client, encryptedSecret: sealClientSecret(ctx, client, ClientSecret) },
    );
  }
}
