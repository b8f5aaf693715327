import type {
  CreateUserPoolClientRequest,
  UpdateUserPoolClientRequest,
  UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext, ServiceContext } from '../context.js';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import { DuplicateKeyError } from '../storage/conflicts.js';
import { clientSecretOf, sealClientSecret } from './app-client-secrets.js';
import { clientSettings } from './app-client-settings.js';
import { newClientId, newClientSecret } from './ids.js';
import { requirePool } from './pools.js';
import { requireScopesExist } from './resource-servers/resource-servers.js';
import { requireProvidersExist } from '../federation/identity-providers.js';

const MAX_CLIENTS_PER_POOL = 1000;

export async function requireClient(ctx: ServiceContext, poolId: string, clientId: string): Promise<StoredAppClient> {
  const client = await ctx.repos.appClients.get(poolId, clientId);
  if (!client) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  return client;
}

export function toUserPoolClientType(ctx: ServiceContext, client: StoredAppClient): UserPoolClientType {
  const secret = clientSecretOf(ctx, client);
  return {
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.clientId,
    ...(secret && { ClientSecret: secret }),
    LastModifiedDate: client.updatedAt,
    CreationDate: client.createdAt,
    ...client.settings,
  };
}

/** Declared clients (bootstrap) carry a fixed id; API callers get a fresh one. */
export async function createClient(ctx: RequestContext, input: CreateUserPoolClientRequest, fixedId?: string): Promise<StoredAppClient> {
  if (input.GenerateSecret && input.ClientSecret) {
    throw new InvalidParameterException('You cannot specify both GenerateSecret as true and provide a ClientSecret value.');
  }
  const pool = await requirePool(ctx, input.UserPoolId!);
  if ((await ctx.repos.appClients.count(pool.id)) >= MAX_CLIENTS_PER_POOL) {
    throw new LimitExceededException(`A user pool can have at most ${MAX_CLIENTS_PER_POOL} app clients.`);
  }
  const secret = input.ClientSecret ?? (input.GenerateSecret ? newClientSecret(ctx.randomBytes) : undefined);
  const { UserPoolId, ClientName, GenerateSecret, ClientSecret, ...settable } = input;
  await requireScopesExist(ctx, pool.id, settable.AllowedOAuthScopes);
  await requireProvidersExist(ctx, pool.id, settable.SupportedIdentityProviders);
  const settings = clientSettings(settable, secret !== undefined);
  checkAttributesExist(pool.settings.userPool.SchemaAttributes?.map((a) => a.Name!) ?? [], settable);
  const now = ctx.now();
  for (let attempt = 0; ; attempt++) {
    const clientId = fixedId ?? newClientId(ctx.randomBytes);
    const client: StoredAppClient = {
      poolId: pool.id,
      clientId,
      name: ClientName!,
      encryptedSecret: secret === undefined ? null : sealClientSecret(ctx, { poolId: pool.id, clientId }, secret),
      settings,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await ctx.repos.appClients.insert(client);
      return client;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      if (fixedId) throw new InvalidParameterException(`App client id ${fixedId} is already used.`);
      if (attempt > 3) throw error;
    }
  }
}

/** Replaces the client's settings, as Cognito does: what the request leaves out returns to its default. */
export async function updateClient(ctx: RequestContext, input: UpdateUserPoolClientRequest): Promise<StoredAppClient> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const { UserPoolId, ClientId, ClientName, ...settable } = input;
  checkAttributesExist(pool.settings.userPool.SchemaAttributes?.map((a) => a.Name!) ?? [], settable);
  await requireScopesExist(ctx, pool.id, settable.AllowedOAuthScopes);
  await requireProvidersExist(ctx, pool.id, settable.SupportedIdentityProviders);
  const updated = await ctx.repos.appClients.update(pool.id, ClientId!, ctx.now(), (client) => ({
    ...client,
    name: ClientName ?? client.name,
    settings: clientSettings(settable, client.encryptedSecret !== null),
  }));
  if (!updated) throw new ResourceNotFoundException(`User pool client ${ClientId} does not exist.`);
  return updated;
}

/** ReadAttributes and WriteAttributes may only name attributes the pool has; `sub` is never writable. */
function checkAttributesExist(schema: string[], input: { ReadAttributes?: string[]; WriteAttributes?: string[] }): void {
  const known = new Set(schema.map((name) => name.replace(/^dev:/, '')));
  for (const name of input.ReadAttributes ?? []) {
    if (!known.has(name)) throw new InvalidParameterException(`Invalid read attributes specified while creating a client: ${name}`);
  }
  for (const name of input.WriteAttributes ?? []) {
    if (!known.has(name) || name === 'sub') throw new InvalidParameterException(`Invalid write attributes specified while creating a client: ${name}`);
  }
}
