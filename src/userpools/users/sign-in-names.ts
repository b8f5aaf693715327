import type { ServiceContext } from '../../context.js';
import type { Alias, StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { UserNotFoundException } from '../errors.js';

/**
 * How users are named in a pool: their username, and the aliases they can sign in with.
 * - `UsernameAttributes` (email and/or phone_number): the user signs in with that attribute; the stored
 *   username is a UUID, and the attribute is unique among all the pool's users.
 * - `AliasAttributes`: the username is chosen by the user; email and phone_number work as sign-in names
 *   once verified (unique among verified users), preferred_username always (unique among all).
 * - `UsernameConfiguration.CaseSensitive` false: usernames (and aliases) match regardless of case.
 */
export function isCaseSensitive(pool: StoredUserPool): boolean {
  // A pool created through the API without UsernameConfiguration is case sensitive, as in Cognito.
  return pool.settings.userPool.UsernameConfiguration?.CaseSensitive ?? true;
}

export function usernameKey(pool: StoredUserPool, username: string): string {
  return isCaseSensitive(pool) ? username : username.toLowerCase();
}

/** Emails are compared without regard to case; phone numbers are compared as given (E.164). */
function aliasValue(pool: StoredUserPool, kind: string, value: string): string {
  if (kind === 'email') return value.toLowerCase();
  if (kind === 'preferred_username') return usernameKey(pool, value);
  return value;
}

/** The aliases a user holds in its pool, given its attributes. */
export function aliasesOf(pool: StoredUserPool, user: Pick<StoredUser, 'attributes'>): Alias[] {
  const settings = pool.settings.userPool;
  const out: Alias[] = [];
  const value = (kind: string) => user.attributes[kind];
  for (const kind of settings.UsernameAttributes ?? []) {
    if (value(kind)) out.push({ kind, value: aliasValue(pool, kind, value(kind)) });
  }
  for (const kind of settings.AliasAttributes ?? []) {
    const verified = kind === 'preferred_username' || value(`${kind}_verified`) === 'true';
    if (value(kind) && verified) out.push({ kind, value: aliasValue(pool, kind, value(kind)) });
  }
  return out;
}

/** What kind of sign-in name this string is, in a pool that uses such names. */
export function signInNameKinds(pool: StoredUserPool): string[] {
  const settings = pool.settings.userPool;
  return [...(settings.UsernameAttributes ?? []), ...(settings.AliasAttributes ?? [])];
}

const E164 = /^\+\d+$/;

/**
 * The alias kinds a sign-in name may be, by its shape: an email address is looked up as an email, an E.164
 * number as a phone number, where the pool takes those; anything else as a preferred_username. Trying every
 * kind in turn let a preferred_username written as someone's email address capture that sign-in name (and
 * its password resets) while the address was unverified, or came later in AliasAttributes.
 */
function aliasKindsFor(pool: StoredUserPool, name: string): string[] {
  const kinds = signInNameKinds(pool);
  const shaped = name.includes('@') ? 'email' : E164.test(name) ? 'phone_number' : undefined;
  return shaped !== undefined && kinds.includes(shaped) ? [shaped] : kinds.filter((kind) => kind === 'preferred_username');
}

/** Finds a user by username, or by the alias the name's shape says it is, when the pool takes it as a sign-in name. */
export async function findUser(ctx: ServiceContext, pool: StoredUserPool, name: string): Promise<StoredUser | undefined> {
  const byUsername = await ctx.repos.users.get(pool.id, usernameKey(pool, name));
  if (byUsername) return byUsername;
  for (const kind of aliasKindsFor(pool, name)) {
    const user = await ctx.repos.users.findByAlias(pool.id, { kind, value: aliasValue(pool, kind, name) });
    if (user) return user;
  }
  return undefined;
}

export async function requireUser(ctx: ServiceContext, pool: StoredUserPool, name: string): Promise<StoredUser> {
  const user = await findUser(ctx, pool, name);
  if (!user) throw new UserNotFoundException('User does not exist.');
  return user;
}
