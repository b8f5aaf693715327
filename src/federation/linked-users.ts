import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { updateUser } from '../userpools/users/users.js';
import { identitiesOf, identityOf, withIdentity } from './identities.js';

/** What names a provider's user by the provider's own id for it, rather than by one of its attributes. */
export const COGNITO_SUBJECT = 'Cognito_Subject';

/**
 * The user of the pool a provider's user was linked to (AdminLinkProviderForUser), if any: by the provider's
 * id for it, or by a mapped attribute the link named. A link by attribute becomes a link by id at the first
 * sign-in, as in Cognito, so it holds when the attribute changes; and the user's `identities` gain the
 * provider's user.
 */
export async function linkedUser(
  ctx: ServiceContext,
  pool: StoredUserPool,
  provider: StoredIdentityProvider,
  id: string,
  attributes: AttributeType[],
): Promise<StoredUser | undefined> {
  const bySubject = { attributeName: COGNITO_SUBJECT, attributeValue: id };
  const names = [bySubject, ...attributes.map((a) => ({ attributeName: a.Name!, attributeValue: a.Value! }))];
  const link = await ctx.repos.identityLinks.findFirst(pool.id, provider.providerName, names);
  if (!link) return undefined;
  if (link.attributeName !== COGNITO_SUBJECT) await ctx.repos.identityLinks.rename(link, bySubject);
  const user = await ctx.repos.users.get(pool.id, link.usernameKey);
  if (!user || identitiesOf(user).some((i) => i.providerName === provider.providerName && i.userId === id)) return user;
  return recordLinkedIdentity(ctx, pool, user, provider, id);
}

/** The user's `identities` with the provider's user linked to it (not primary: the user is the pool's own). */
export function recordLinkedIdentity(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, provider: StoredIdentityProvider, id: string): Promise<StoredUser> {
  return updateUser(ctx, pool, user, (u) => ({ ...u, attributes: withIdentity(u, identityOf(provider, id, false, ctx.now())) }));
}
