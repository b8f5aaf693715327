import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { signInDevice } from '../devices/devices.js';
import { UserNotFoundException } from '../errors.js';
import { hashPassword, verifyPassword, type PasswordCredentials } from '../users/password-store.js';
import { findUser } from '../users/sign-in-names.js';
import { migrateUser } from '../../triggers/user-migration.js';
import { recordFailedSignIn, refuseIfLocked } from './account-protection.js';
import { afterPasswordVerified, refuseIfNoPasswordYet, type SignInStep } from './sign-in-outcome.js';

let dummyHash: Promise<string> | undefined;

/**
 * A hash to verify against when the user does not exist, so that answering "incorrect username or
 * password" for a missing user costs the same time as for a wrong password.
 */
function hashForMissingUsers(ctx: ServiceContext): Promise<string> {
  dummyHash ??= hashPassword(ctx.randomBytes(16).toString('base64'), ctx.config.passwordHashing);
  return dummyHash;
}

export function incorrectCredentials(): NotAuthorizedException {
  return new NotAuthorizedException('Incorrect username or password.');
}

/**
 * USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH: the password itself is sent, with
 * the DEVICE_KEY of a remembered device when the client has one.
 */
export async function signInWithPassword(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  password: string,
  deviceKey?: string,
  clientMetadata?: Record<string, string>,
): Promise<SignInStep> {
  const user = await findUser(ctx, pool, name);
  if (!user) {
    // A user of the old store, vouched for with this very password, is created and signed in (lazy migration).
    const migrated = await migrateUser(ctx, pool, client, name, { source: 'UserMigration_Authentication', password, ...(clientMetadata && { clientMetadata }) });
    if (migrated) return afterPasswordVerified(ctx, pool, client, migrated);
    await verifyPassword({ hash: await hashForMissingUsers(ctx), temporary: false }, password);
    if (client.settings.PreventUserExistenceErrors === 'ENABLED') throw incorrectCredentials();
    throw new UserNotFoundException('User does not exist.');
  }
  refuseIfLocked(ctx, user);
  refuseIfNoPasswordYet(user);
  if (!(await verifyPassword(user.credentials as PasswordCredentials | null, password))) {
    await recordFailedSignIn(ctx, user);
    throw incorrectCredentials();
  }
  return afterPasswordVerified(ctx, pool, client, user, await signInDevice(ctx, pool, user, deviceKey));
}
