import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import { InvalidScope } from './oauth-errors.js';

/** The scopes every pool has; a scope with a slash is a resource server's (`<identifier>/<name>`). */
export const OPENID = 'openid';
export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';
const STANDARD_SCOPES = new Set([OPENID, 'email', 'phone', 'profile', ADMIN_SCOPE]);

export function parseScope(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  return [...new Set(scope.split(' ').filter((s) => s !== ''))];
}

/**
 * Which of these resource-server scopes exist in the pool right now: only the servers they name are read
 * (the identifier is what comes before the last slash, as identifiers may hold slashes themselves).
 */
async function resourceServerScopes(ctx: ServiceContext, poolId: string, scopes: string[]): Promise<Set<string>> {
  const identifiers = new Set(scopes.filter((s) => s.lastIndexOf('/') > 0).map((s) => s.slice(0, s.lastIndexOf('/'))));
  const servers = await Promise.all([...identifiers].map((identifier) => ctx.repos.resourceServers.get(poolId, identifier)));
  return new Set(servers.flatMap((server) => (server ? server.scopes.map((s) => `${server.identifier}/${s.ScopeName}`) : [])));
}

/**
 * The scopes a request may have: each one allowed for the client (AllowedOAuthScopes) and, for a resource
 * server's, still defined. Without a `scope` parameter, every scope the client is allowed (as Cognito
 * grants). Client credentials get resource-server scopes only; a user's sign-in any of them.
 */
export async function grantScopes(
  ctx: ServiceContext,
  client: StoredAppClient,
  requested: string[] | undefined,
  grant: 'user' | 'client_credentials',
): Promise<string[]> {
  const allowed = new Set(client.settings.AllowedOAuthScopes ?? []);
  const candidates = (requested ?? [...allowed]).filter((s) => allowed.has(s) && !STANDARD_SCOPES.has(s));
  const custom = candidates.length > 0 ? await resourceServerScopes(ctx, client.poolId, candidates) : new Set<string>();
  const exists = (scope: string) => STANDARD_SCOPES.has(scope) || custom.has(scope);
  const fitsGrant = (scope: string) => grant === 'user' || !STANDARD_SCOPES.has(scope);
  if (requested === undefined) {
    const granted = [...allowed].filter((s) => exists(s) && fitsGrant(s));
    if (granted.length === 0) throw new InvalidScope('The client is allowed no scope that can be granted here.');
    return granted;
  }
  for (const scope of requested) {
    if (!allowed.has(scope) || !exists(scope)) throw new InvalidScope(`The client may not request the scope ${scope}.`);
    if (!fitsGrant(scope)) throw new InvalidScope(`The client_credentials grant takes resource-server scopes only, not ${scope}.`);
  }
  if (requested.length === 0) throw new InvalidScope('The scope parameter names no scope.');
  return requested;
}
