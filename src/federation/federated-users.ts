import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import { DuplicateKeyError } from '../storage/conflicts.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { UsernameExistsException } from '../userpools/errors.js';
import { applyAttributeWrites } from '../userpools/users/attributes.js';
import { usernameKey } from '../userpools/users/sign-in-names.js';
import { EXTERNAL_PROVIDER, createUser, updateUser } from '../userpools/users/users.js';
import { identityOf } from './identities.js';
import { linkedUser } from './linked-users.js';
import type { ProviderClaims } from './oauth-provider-client.js';
import { NAME_ID_CLAIM } from './saml-provider-client.js';


/** A claim as an attribute value: strings as they are, numbers and booleans as text, objects as JSON. */
function claimText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The pool attributes the provider's AttributeMapping fills from these claims (`username` aside). */
function mappedAttributes(provider: StoredIdentityProvider, claims: ProviderClaims): AttributeType[] {
  return Object.entries(provider.attributeMapping).flatMap(([attribute, claim]) => {
    const value = attribute === 'username' ? undefined : claimText(claims[claim]);
    return value === undefined ? [] : [{ Name: attribute, Value: value }];
  });
}

/**
 * The pool's user for whoever signed in at the provider, as Cognito keeps them: named
 * `<ProviderName>_<id>` (the id from the claim AttributeMapping gives `username`; by default `sub`, or a SAML NameID), in
 * status EXTERNAL_PROVIDER, with an `identities` attribute saying where it comes from. Created at the first
 * sign-in (the pre sign-up function hears PreSignUp_ExternalProvider); at every later one, the mapped
 * attributes take the provider's current values, so an immutable one that changed fails the sign-in. A
 * provider's user an administrator linked to a user of the pool (AdminLinkProviderForUser) is that user.
 */
export async function federatedUser(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  provider: StoredIdentityProvider,
  claims: ProviderClaims,
): Promise<StoredUser> {
  // Every provider but a SAML one has `username` mapped from its creation (its type's claim unless chosen); SAML names users by NameID.
  const idClaim = provider.attributeMapping.username ?? NAME_ID_CLAIM;
  const id = claimText(claims[idClaim]);
  if (!id) throw new InvalidParameterException(`${provider.providerName} did not give the ${idClaim} claim, which names its users.`);
  const username = `${provider.providerName}_${id}`;
  const attributes = mappedAttributes(provider, claims);
  const linked = await linkedUser(ctx, pool, provider, id, attributes);
  if (linked) return linked;
  const existing = await ctx.repos.users.get(pool.id, usernameKey(pool, username));
  if (existing) return refreshed(ctx, pool, existing, attributes);
  try {
    const user = await createUser(ctx, pool, {
      name: username,
      attributes,
      status: EXTERNAL_PROVIDER,
      writer: { kind: 'admin' },
      ownAttributes: { identities: JSON.stringify([identityOf(provider, id, true, ctx.now())]) },
      preSignUp: { source: 'PreSignUp_ExternalProvider', clientId: client.clientId },
    });
    await joinProviderGroup(ctx, pool, provider, user);
    return user;
  } catch (error) {
    // The same person's first sign-in in another tab won the race: this one signs in as that user.
    if (!(error instanceof UsernameExistsException)) throw error;
    const winner = await ctx.repos.users.get(pool.id, usernameKey(pool, username));
    if (!winner) throw error;
    return refreshed(ctx, pool, winner, attributes);
  }
}

/**
 * As Cognito does, every user a provider brings is in the pool's group `<poolId>_<ProviderName>` (made with
 * the first), so its tokens' cognito:groups say where the user signs in from.
 */
async function joinProviderGroup(ctx: ServiceContext, pool: StoredUserPool, provider: StoredIdentityProvider, user: StoredUser): Promise<void> {
  const groupName = `${pool.id}_${provider.providerName}`;
  const now = ctx.now();
  try {
    await ctx.repos.groups.insert({ poolId: pool.id, groupName, createdAt: now, updatedAt: now });
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
  await ctx.repos.groups.addMember(pool.id, groupName, user.usernameKey);
}

async function refreshed(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, attributes: AttributeType[]): Promise<StoredUser> {
  // A user of the pool's own directory who happens to have this name is not the provider's to sign in.
  if (user.status !== EXTERNAL_PROVIDER) throw new InvalidParameterException(`The user ${user.username} does not come from an identity provider.`);
  const apply = (current: Record<string, string>) => applyAttributeWrites(pool, current, attributes, { kind: 'admin' }, false);
  // Most sign-ins bring what the user already has: nothing to write.
  if (JSON.stringify(apply(user.attributes)) === JSON.stringify(user.attributes)) return user;
  return updateUser(ctx, pool, user, (u) => ({ ...u, attributes: apply(u.attributes) }));
}
