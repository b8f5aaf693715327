import type { ResourceServerScopeType, ResourceServerType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { ResourceServerScope, StoredResourceServer } from '../../storage/resource-servers-repository.js';
import { isStandardScope } from '../app-client-settings.js';
import { ScopeDoesNotExistException } from '../errors.js';

export function toResourceServerType(server: StoredResourceServer): ResourceServerType {
  return { UserPoolId: server.poolId, Identifier: server.identifier, Name: server.name, Scopes: server.scopes };
}

export function resourceServerNotFound(poolId: string, identifier: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`Resource server ${identifier} does not exist in user pool ${poolId}.`);
}

export async function requireResourceServer(ctx: ServiceContext, poolId: string, identifier: string): Promise<StoredResourceServer> {
  const server = await ctx.repos.resourceServers.get(poolId, identifier);
  if (!server) throw resourceServerNotFound(poolId, identifier);
  return server;
}

/** The scopes as stored: names unique within the server (the model checks their form and count). */
export function checkScopes(scopes: ResourceServerScopeType[] | undefined): ResourceServerScope[] {
  const seen = new Set<string>();
  return (scopes ?? []).map(({ ScopeName, ScopeDescription }) => {
    if (seen.has(ScopeName!)) throw new InvalidParameterException(`Scope ${ScopeName} is given more than once.`);
    seen.add(ScopeName!);
    return { ScopeName: ScopeName!, ScopeDescription: ScopeDescription! };
  });
}

/** The name a client and a token use for a resource server's scope. */
export function fullScopeName(identifier: string, scopeName: string): string {
  return `${identifier}/${scopeName}`;
}

/** Every custom scope of the pool, as `<identifier>/<scope>`. */
export async function customScopesOf(ctx: ServiceContext, poolId: string): Promise<Set<string>> {
  const scopes = new Set<string>();
  for (const server of await ctx.repos.resourceServers.list(poolId)) {
    for (const scope of server.scopes) scopes.add(fullScopeName(server.identifier, scope.ScopeName));
  }
  return scopes;
}

/**
 * An app client's AllowedOAuthScopes may name resource-server scopes that exist in its pool now. The
 * resource servers are read only when the client names one. (A scope deleted later stays on the client,
 * as in Cognito; a token request for it is what fails.)
 */
export async function requireScopesExist(ctx: ServiceContext, poolId: string, scopes: readonly string[] | undefined): Promise<void> {
  const custom = (scopes ?? []).filter((scope) => !isStandardScope(scope));
  if (custom.length === 0) return;
  const known = await customScopesOf(ctx, poolId);
  const missing = custom.find((scope) => !known.has(scope));
  if (missing !== undefined) throw new ScopeDoesNotExistException(`Invalid scope requested: ${missing}`);
}
