import type { ServiceContext } from '../context.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { eventAttributes, runTrigger, triggerArn } from './triggers.js';

export interface PostConfirmationCall {
  source: 'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword';
  clientId?: string;
  clientMetadata?: Record<string, string>;
}

/**
 * Tells the pool's post confirmation function, if it has one, of a user just confirmed or whose password
 * was just reset (a welcome message, a row in another system). The change is already made: a function
 * that fails makes the operation answer its error, as Cognito's does, and the user stays confirmed.
 */
export async function postConfirmation(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, call: PostConfirmationCall): Promise<void> {
  const arn = triggerArn(pool, 'PostConfirmation');
  if (!arn) return;
  await runTrigger(ctx, pool, 'PostConfirmation', arn, {
    source: call.source,
    userName: user.username,
    ...(call.clientId && { clientId: call.clientId }),
    request: { userAttributes: eventAttributes(user), ...(call.clientMetadata && { clientMetadata: call.clientMetadata }) },
  });
}
