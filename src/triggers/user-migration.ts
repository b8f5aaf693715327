import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { InvalidLambdaResponseException, UsernameExistsException } from '../userpools/errors.js';
import { findUser } from '../userpools/users/sign-in-names.js';
import { createUser } from '../userpools/users/users.js';
import { isRecord, runTrigger, triggerArn } from './triggers.js';

/**
 * Where a name that matches no user meets the migration function: a sign-in with the password, or
 * ForgotPassword; with the request's ClientMetadata, which Cognito hands on as `validationData` too.
 */
export type MigrationCall = ({ source: 'UserMigration_Authentication'; password: string } | { source: 'UserMigration_ForgotPassword' }) & {
  clientMetadata?: Record<string, string>;
};

/** Attributes that are the pool's to give, never the old system's. */
const OWN_ATTRIBUTES = (name: string) => name === 'sub' || name.startsWith('cognito:') || name.startsWith('dev:');

/**
 * Lazy migration: a name that matches no user is put to the pool's user migration function, which looks it
 * up in the old user store (checking the password, at sign-in). The user it describes is created here,
 * CONFIRMED with the password that was just proven, or RESET_REQUIRED (a new password by ForgotPassword
 * first, as always when only ForgotPassword found the user). Nothing comes back when the pool has no such
 * function or the function knows no such user (an empty answer); a function that fails fails the request.
 */
export async function migrateUser(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, name: string, call: MigrationCall): Promise<StoredUser | undefined> {
  const arn = triggerArn(pool, 'UserMigration');
  if (!arn) return undefined;
  const response = await runTrigger(ctx, pool, 'UserMigration', arn, {
    source: call.source,
    userName: name,
    clientId: client.clientId,
    request: {
      ...(call.source === 'UserMigration_Authentication' && { password: call.password }),
      validationData: call.clientMetadata ?? null,
      ...(call.clientMetadata && { clientMetadata: call.clientMetadata }),
    },
  });
  const found = response.userAttributes;
  if (found === undefined || found === null || (isRecord(found) && Object.keys(found).length === 0)) return undefined;
  if (!isRecord(found) || !Object.values(found).every((value) => typeof value === 'string')) throw unrecognizable();
  const status = response.finalUserStatus ?? 'CONFIRMED';
  if (status !== 'CONFIRMED' && status !== 'RESET_REQUIRED') throw unrecognizable();
  const withPassword = call.source === 'UserMigration_Authentication';
  return createUser(ctx, pool, {
    name,
    attributes: Object.entries(found as Record<string, string>)
      .filter(([attribute]) => !OWN_ATTRIBUTES(attribute))
      .map(([Name, Value]) => ({ Name, Value })),
    writer: { kind: 'admin' },
    ...(withPassword
      ? { status, password: { value: call.password, temporary: false } }
      : { status: 'RESET_REQUIRED' as const }),
  }).catch(async (error: unknown) => {
    // Two first sign-ins of one user at once: the other request created it, and this one uses it.
    const existing = error instanceof UsernameExistsException ? await findUser(ctx, pool, name) : undefined;
    if (existing) return existing;
    throw error;
  });
}

const unrecognizable = () => new InvalidLambdaResponseException('Unrecognizable lambda output');
