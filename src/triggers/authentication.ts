import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { hidesUserExistence } from '../userpools/client-requests.js';
import { findUser } from '../userpools/users/sign-in-names.js';
import { eventAttributes, runTrigger, triggerArn } from './triggers.js';

/**
 * Runs the pool's pre authentication function, if it has one, as a sign-in starts (any flow but a
 * refresh), before a password is checked: the function refuses the sign-in by failing. Under
 * PreventUserExistenceErrors it hears of names that match no user too (`userNotFound`); otherwise the
 * sign-in's own UserNotFoundException follows. ClientMetadata reaches it as `validationData`, as at Cognito.
 */
export async function preAuthentication(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  const arn = triggerArn(pool, 'PreAuthentication');
  if (!arn) return;
  const user = await findUser(ctx, pool, name);
  if (!user && !hidesUserExistence(client)) return;
  await runTrigger(ctx, pool, 'PreAuthentication', arn, {
    source: 'PreAuthentication_Authentication',
    userName: user?.username ?? name,
    clientId: client.clientId,
    request: { userAttributes: user ? eventAttributes(user) : {}, ...(clientMetadata && { validationData: clientMetadata }), userNotFound: !user },
  });
}

/**
 * Runs the pool's post authentication function, if it has one, once every factor of a sign-in has passed
 * and before its tokens are made (a sign-in history, a notification). Its failure fails the sign-in.
 */
export async function postAuthentication(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, user: StoredUser, newDeviceUsed: boolean): Promise<void> {
  const arn = triggerArn(pool, 'PostAuthentication');
  if (!arn) return;
  await runTrigger(ctx, pool, 'PostAuthentication', arn, {
    source: 'PostAuthentication_Authentication',
    userName: user.username,
    clientId: client.clientId,
    request: { userAttributes: eventAttributes(user), newDeviceUsed },
  });
}
