import type { ChangePasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { recordFailedSignIn, refuseIfLocked } from '../../auth/account-protection.js';
import { incorrectCredentials } from '../../auth/password-sign-in.js';
import { PasswordHistoryPolicyViolationException } from '../../errors.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { isInHistory, newCredentials, verifyPassword, type PasswordCredentials } from '../password-store.js';
import { updateUser } from '../users.js';

/**
 * The signed-in user changes its password, proving the current one (a credential check, so it counts
 * toward lockout), or sets a first one.
 */
export async function changePassword(ctx: RequestContext, input: ChangePasswordRequest): Promise<Record<string, never>> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  refuseIfLocked(poolCtx, user);
  const current = user.credentials as PasswordCredentials | null;
  // A user who signed up without a password sets a first one with the access token alone: PreviousPassword
  // is "required if the user has a password" (ChangePasswordRequest).
  if (current && !(await verifyPassword(current, input.PreviousPassword ?? ''))) {
    await recordFailedSignIn(poolCtx, user);
    throw incorrectCredentials();
  }
  const policy = pool.settings.userPool.Policies?.PasswordPolicy;
  checkPasswordPolicy(policy, input.ProposedPassword!);
  if (await isInHistory(current, input.ProposedPassword!, policy?.PasswordHistorySize ?? 0)) {
    throw new PasswordHistoryPolicyViolationException('The password was used recently. Choose a password you have not used before.');
  }
  const credentials = await newCredentials(poolCtx, pool, user.username, input.ProposedPassword!, {
    temporary: false,
    previous: current,
    historySize: policy?.PasswordHistorySize,
  });
  await updateUser(poolCtx, pool, user, (u) => {
    // A first password set meanwhile by another request must be proven like any other.
    if (!current && u.credentials) throw incorrectCredentials();
    return { ...u, credentials, failedSignIns: 0, lockedUntil: undefined };
  });
  return {};
}
