import type { AttributeType, UserType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import { oneValidationError } from '../../protocol/validate-input.js';
import { DuplicateKeyError } from '../../storage/conflicts.js';
import type { Alias, StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { preSignUp, type PreSignUpCall } from '../../triggers/pre-sign-up.js';
import { AliasExistsException, UserNotFoundException, UsernameExistsException } from '../errors.js';
import { applyAttributeWrites, checkRequiredAttributes, toAttributeList, type Writer } from './attributes.js';
import { newCredentials, type CredentialOptions } from './password-store.js';
import { aliasesOf, usernameKey } from './sign-in-names.js';

/** A version-4 UUID from the context's randomness (so tests can pin it). */
export function newUuid(randomBytes: (n: number) => Buffer): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toUserType(user: StoredUser, attributesToGet?: string[]): UserType {
  return {
    Username: user.username,
    Attributes: toAttributeList(user.attributes, attributesToGet),
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.updatedAt,
    Enabled: user.enabled,
    UserStatus: user.status as UserType['UserStatus'],
  };
}

const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+$/;
const LOOKS_LIKE_PHONE = /^\+[0-9]+$/;

/**
 * Turns the name a caller gives a new user into the stored username and attributes. In a pool whose
 * sign-in names are email or phone number, that name is the attribute and the username is the sub.
 */
function nameNewUser(pool: StoredUserPool, name: string, sub: string, attributes: Record<string, string>): { username: string; attributes: Record<string, string> } {
  const settings = pool.settings.userPool;
  const usernameAttributes = settings.UsernameAttributes ?? [];
  if (usernameAttributes.length > 0) {
    if (usernameAttributes.includes('email') && LOOKS_LIKE_EMAIL.test(name)) return { username: sub, attributes: { ...attributes, email: attributes.email ?? name } };
    if (usernameAttributes.includes('phone_number') && LOOKS_LIKE_PHONE.test(name)) {
      return { username: sub, attributes: { ...attributes, phone_number: attributes.phone_number ?? name } };
    }
    throw new InvalidParameterException(
      usernameAttributes.includes('email') && usernameAttributes.includes('phone_number')
        ? 'Username should be either an email or a phone number.'
        : usernameAttributes.includes('email')
          ? 'Username should be an email.'
          : 'Username should be a phone number.',
    );
  }
  const aliases = settings.AliasAttributes ?? [];
  if (aliases.includes('email') && LOOKS_LIKE_EMAIL.test(name)) {
    throw new InvalidParameterException('Username cannot be of email format, since user pool is configured for email alias.');
  }
  if (aliases.includes('phone_number') && LOOKS_LIKE_PHONE.test(name)) {
    throw new InvalidParameterException('Username cannot be of phone number format, since user pool is configured for phone number alias.');
  }
  return { username: name, attributes };
}

/** Cognito's longest username, and the width of the key columns that hold it. */
const MAX_USERNAME = 128;
/** The longest attribute value, and the width of the alias column. */
const MAX_ALIAS = 2048;

/**
 * A user's aliases, each within the width the stores give it. Lower-casing can lengthen a name the
 * request's validation accepted (İ becomes i and a combining dot), which PostgreSQL would refuse with a
 * server error and SQLite would store: both refuse it here instead. The same goes for the username key.
 */
function storableAliases(pool: StoredUserPool, user: Pick<StoredUser, 'attributes' | 'status'>): Alias[] {
  // A federated user signs in only through its provider: its email or phone number names nobody here, so a
  // user of the pool's own directory may have the same one (until an administrator links the two).
  if (user.status === EXTERNAL_PROVIDER) return [];
  const aliases = aliasesOf(pool, user);
  const long = aliases.find((alias) => [...alias.value].length > MAX_ALIAS);
  if (long) {
    throw new InvalidParameterException(oneValidationError(`userAttributes.${long.kind}`, `Member must have length less than or equal to ${MAX_ALIAS}`));
  }
  return aliases;
}

/** The status of a user who signs in through an external identity provider (federation/). */
export const EXTERNAL_PROVIDER = 'EXTERNAL_PROVIDER';

/** Whether the user may be signed in by a hosted-UI session or an authorization code: enabled, and confirmed or federated. */
export function maySignIn(user: StoredUser): boolean {
  return user.enabled && (user.status === 'CONFIRMED' || user.status === EXTERNAL_PROVIDER);
}

export interface NewUser {
  /** The name a caller gives; for EXTERNAL_PROVIDER the username itself (`<provider>_<id>`), whatever the pool's sign-in names. */
  name: string;
  attributes: AttributeType[];
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | typeof EXTERNAL_PROVIDER;
  password?: { value: string } & CredentialOptions;
  writer: Writer;
  /** Attributes no writer may write, set by Gatehouse itself: a federated user's `identities`. */
  ownAttributes?: Record<string, string>;
  /** A further check of the final attributes (the sign-in name included), before anything is written. */
  check?: (attributes: Record<string, string>) => void;
  /** How the pool's pre sign-up function, if any, hears of the user; it may refuse, confirm or verify it. */
  preSignUp?: PreSignUpCall;
}

/**
 * Creates a user: names it, checks its attributes against the schema, and claims its username and
 * aliases atomically, so of two racing sign-ups for one name exactly one wins.
 */
export async function createUser(ctx: ServiceContext, pool: StoredUserPool, input: NewUser): Promise<StoredUser> {
  const sub = newUuid(ctx.randomBytes);
  const written = applyAttributeWrites(pool, {}, input.attributes, input.writer, true);
  const named = input.status === EXTERNAL_PROVIDER ? { username: input.name, attributes: written } : nameNewUser(pool, input.name, sub, written);
  const { username } = named;
  Object.assign(named.attributes, input.ownAttributes, { sub });
  checkRequiredAttributes(pool, named.attributes);
  // Cognito's rule: an account nobody has confirmed must not hold a sign-in name that anyone could squat.
  if (input.status === 'UNCONFIRMED' && named.attributes.preferred_username && (pool.settings.userPool.AliasAttributes ?? []).includes('preferred_username')) {
    throw new InvalidParameterException('Preferred username cannot be provided for unconfirmed account, since user pool is configured for preferred username alias.');
  }
  input.check?.(named.attributes);
  // Before the hash: a sign-up the function refuses costs no argon2.
  const triggered = input.preSignUp ? await preSignUp(ctx, pool, username, named.attributes, input.preSignUp) : undefined;
  const attributes = triggered?.attributes ?? named.attributes;
  const now = ctx.now();
  const user: StoredUser = {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status: triggered?.confirmed && input.status === 'UNCONFIRMED' ? 'CONFIRMED' : input.status,
    enabled: true,
    attributes,
    credentials: input.password ? await newCredentials(ctx, pool, username, input.password.value, input.password) : null,
    createdAt: now,
    updatedAt: now,
  };
  if ([...user.usernameKey].length > MAX_USERNAME) {
    throw new InvalidParameterException(oneValidationError('username', `Member must have length less than or equal to ${MAX_USERNAME}`));
  }
  try {
    await ctx.repos.users.insert(user, storableAliases(pool, user));
  } catch (error) {
    throw translateDuplicate(pool, error);
  }
  return user;
}

/** A taken username or alias, as Cognito reports it. */
export function translateDuplicate(pool: StoredUserPool, error: unknown): unknown {
  if (!(error instanceof DuplicateKeyError)) return error;
  if (error.message === 'user') return new UsernameExistsException('User account already exists');
  const usernameAttributes = pool.settings.userPool.UsernameAttributes ?? [];
  if (usernameAttributes.length > 0) {
    return new UsernameExistsException(`An account with the given ${usernameAttributes.includes('email') ? 'email' : 'phone_number'} already exists.`);
  }
  return new AliasExistsException('An account with the email or phone number already exists.');
}

/** Updates a user and its aliases in one step, translating alias clashes into Cognito's errors. */
export async function updateUser(
  ctx: ServiceContext,
  pool: StoredUserPool,
  user: StoredUser,
  change: (user: StoredUser) => StoredUser,
): Promise<StoredUser> {
  try {
    const updated = await ctx.repos.users.update(pool.id, user.usernameKey, ctx.now(), change, (u) => storableAliases(pool, u));
    if (!updated) throw new UserNotFoundException('User does not exist.');
    return updated;
  } catch (error) {
    throw translateDuplicate(pool, error);
  }
}
