import { InvalidParameterException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { allowedFlows } from '../auth/auth-flows.js';
import { passwordlessContacts } from '../auth/choice-sign-in.js';

type Contact = ReturnType<typeof passwordlessContacts>[number];

/** Checks a new user's final attributes (the sign-in name included), before anything is written. */
export type AttributeCheck = (attributes: Record<string, string>) => void;

export const passwordRequired = (): InvalidParameterException => new InvalidParameterException('A password is required to sign up in this user pool.');

/** The new user must come with one of `contacts`, or nothing could ever send them a sign-in code. */
function requireOneOf(contacts: Contact[]): AttributeCheck {
  return (attributes) => {
    if (contacts.some((contact) => attributes[contact])) return;
    throw new InvalidParameterException(`A user without a password needs one of these attributes to receive sign-in codes: ${contacts.join(', ')}.`);
  };
}

/**
 * SignUp without a Password. Cognito's developer guide ("Passwords at sign-up") allows it only when the
 * app client may sign in with USER_AUTH, the pool allows a one-time password, the user gives that one-time
 * password's contact, and the pool verifies that contact automatically at sign-up: the confirmation code
 * then verifies the very contact the sign-in codes go to.
 */
export function signUpWithoutPassword(pool: StoredUserPool, client: StoredAppClient): AttributeCheck {
  const autoVerified: string[] = pool.settings.userPool.AutoVerifiedAttributes ?? [];
  const contacts = passwordlessContacts(pool).filter((contact) => autoVerified.includes(contact));
  if (contacts.length === 0 || !allowedFlows(client).has('ALLOW_USER_AUTH')) throw passwordRequired();
  return requireOneOf(contacts);
}

/**
 * AdminCreateUser without a TemporaryPassword: where the pool allows a one-time password, a user without a
 * password (no temporary one is generated) who comes with its contact; elsewhere undefined, and Cognito
 * generates a temporary password.
 */
export function createdWithoutPassword(pool: StoredUserPool): AttributeCheck | undefined {
  const contacts = passwordlessContacts(pool);
  return contacts.length > 0 ? requireOneOf(contacts) : undefined;
}
