import type { AdminSetUserPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { PasswordHistoryPolicyViolationException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { isInHistory, newCredentials, type PasswordCredentials } from '../password-store.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';

const DAY_MS = 86_400_000;

/**
 * Permanent: the user is CONFIRMED with this password. Not permanent: a temporary password, and the user
 * must choose a new one at next sign-in (FORCE_CHANGE_PASSWORD).
 */
export async function adminSetUserPassword(ctx: RequestContext, input: AdminSetUserPasswordRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  const policy = pool.settings.userPool.Policies?.PasswordPolicy;
  checkPasswordPolicy(policy, input.Password!);
  const previous = user.credentials as PasswordCredentials | null;
  const historySize = policy?.PasswordHistorySize ?? 0;
  if (input.Permanent && (await isInHistory(previous, input.Password!, historySize))) {
    throw new PasswordHistoryPolicyViolationException('The password was used recently. Choose a password you have not used before.');
  }
  const credentials = await newCredentials(ctx, pool, user.username, input.Password!, {
    temporary: !input.Permanent,
    ...(!input.Permanent && { expiresAt: new Date(ctx.now().getTime() + (policy?.TemporaryPasswordValidityDays ?? 7) * DAY_MS) }),
    previous,
    historySize,
  });
  await updateUser(ctx, pool, user, (u) => ({ ...u, credentials, status: input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD' }));
  return {};
}
