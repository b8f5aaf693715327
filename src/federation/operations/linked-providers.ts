import type {
  AdminDisableProviderForUserRequest,
  AdminLinkProviderForUserRequest,
  ProviderUserIdentifierType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, LimitExceededException } from '../../protocol/errors.js';
import { DuplicateKeyError } from '../../storage/conflicts.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { AliasExistsException, UserNotFoundException } from '../../userpools/errors.js';
import { requirePool } from '../../userpools/pools.js';
import { requireUser, usernameKey } from '../../userpools/users/sign-in-names.js';
import { setUserEnabled } from '../../userpools/users/operations/admin-enable-disable-user.js';
import { EXTERNAL_PROVIDER, updateUser } from '../../userpools/users/users.js';
import { withoutIdentity } from '../identities.js';
import { requireProvidersExist } from '../identity-providers.js';
import { COGNITO_SUBJECT, recordLinkedIdentity } from '../linked-users.js';

/** How DestinationUser and AdminDisableProviderForUser name the pool's own directory. */
const COGNITO = 'Cognito';
/** Cognito's limit of external identities linked to one user. */
const MAX_LINKS_PER_USER = 5;

/** The provider's user a request names: the provider, and Cognito_Subject or a pool attribute the provider maps. */
async function externalUser(ctx: RequestContext, pool: StoredUserPool, user: ProviderUserIdentifierType, role: string) {
  const providerName = user.ProviderName ?? '';
  if (providerName === COGNITO) throw new InvalidParameterException(`${role} must be a user of an external identity provider, not of ${COGNITO}.`);
  const [provider] = await requireProvidersExist(ctx, pool.id, [providerName]);
  const attributeName = user.ProviderAttributeName;
  const attributeValue = user.ProviderAttributeValue;
  if (!attributeName || !attributeValue) throw new InvalidParameterException(`${role} needs a ProviderAttributeName and a ProviderAttributeValue.`);
  if (attributeName !== COGNITO_SUBJECT && (attributeName === 'username' || !(attributeName in provider.attributeMapping))) {
    throw new InvalidParameterException(`${role}.ProviderAttributeName must be ${COGNITO_SUBJECT} or a user pool attribute that ${providerName} maps.`);
  }
  return { provider, key: { poolId: pool.id, providerName, attributeName, attributeValue } };
}

/**
 * Links a provider's user who has not signed in yet (SourceUser) to a user of the pool's own directory
 * (DestinationUser): from then on, signing in through the provider is signing in as that user. Gatehouse
 * links to directory users only (DestinationUser.ProviderName Cognito).
 */
export async function adminLinkProviderForUser(ctx: RequestContext, input: AdminLinkProviderForUserRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const destination = input.DestinationUser!;
  if (destination.ProviderName !== COGNITO) {
    throw new InvalidParameterException(`Gatehouse links to users of the user pool's own directory only: DestinationUser.ProviderName must be ${COGNITO}.`);
  }
  const user = await requireUser(ctx, pool, destination.ProviderAttributeValue ?? '');
  if (user.status === EXTERNAL_PROVIDER) throw new InvalidParameterException(`The DestinationUser ${user.username} is itself a user of an identity provider.`);
  const { provider, key } = await externalUser(ctx, pool, input.SourceUser!, 'SourceUser');
  if (key.attributeName === COGNITO_SUBJECT && (await ctx.repos.users.get(pool.id, usernameKey(pool, `${key.providerName}_${key.attributeValue}`)))) {
    throw new InvalidParameterException('Merging is not currently supported, provide a SourceUser that has not been already signed in');
  }
  const existing = await ctx.repos.identityLinks.find(key);
  if (existing?.usernameKey === user.usernameKey) return {};
  if ((await ctx.repos.identityLinks.ofUser(pool.id, user.usernameKey)).length >= MAX_LINKS_PER_USER) {
    throw new LimitExceededException(`A user can have at most ${MAX_LINKS_PER_USER} linked identities.`);
  }
  try {
    if ((await ctx.repos.identityLinks.insert({ ...key, usernameKey: user.usernameKey, createdAt: ctx.now() })) === 'user') throw new UserNotFoundException('User does not exist.');
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new AliasExistsException(`The SourceUser is linked to another user of this pool already.`);
    throw error;
  }
  // A link by the provider's id says at once who the user is; one by attribute says so at the first sign-in.
  if (key.attributeName === COGNITO_SUBJECT) await recordLinkedIdentity(ctx, pool, user, provider, key.attributeValue);
  return {};
}

/**
 * Stops a provider's user from signing in: a link to a user of the pool is removed (the provider's user is a
 * stranger again, and gets a user of its own at its next sign-in); a user the provider brought is disabled, as AdminDisableUser disables it.
 */
export async function adminDisableProviderForUser(ctx: RequestContext, input: AdminDisableProviderForUserRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (input.User?.ProviderName === COGNITO) {
    throw new InvalidParameterException(`Gatehouse does not turn off the password of a user of the pool's own directory here: use AdminDisableUser.`);
  }
  const { key } = await externalUser(ctx, pool, input.User!, 'User');
  const removed = await ctx.repos.identityLinks.delete(key);
  if (removed) {
    const user = await ctx.repos.users.get(pool.id, removed.usernameKey);
    const identity = { providerName: key.providerName, userId: key.attributeValue };
    if (user && key.attributeName === COGNITO_SUBJECT) await updateUser(ctx, pool, user, (u) => ({ ...u, attributes: withoutIdentity(u, identity) }));
    return {};
  }
  const own = key.attributeName === COGNITO_SUBJECT ? await ctx.repos.users.get(pool.id, usernameKey(pool, `${key.providerName}_${key.attributeValue}`)) : undefined;
  if (!own) throw new UserNotFoundException('User does not exist.');
  await setUserEnabled(ctx, pool, own, false);
  return {};
}
