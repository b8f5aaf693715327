import type { AdminCreateUserRequest, AdminCreateUserResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { UnsupportedUserStateException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { sendInvitation } from '../messages.js';
import { checkPasswordPolicy, generateTemporaryPassword } from '../password-policy.js';
import { newCredentials } from '../password-store.js';
import { createdWithoutPassword } from '../passwordless-users.js';
import { requireUser } from '../sign-in-names.js';
import { createUser, toUserType, updateUser } from '../users.js';

const DAY_MS = 86_400_000;

/**
 * Creates a user with a temporary password (given or generated) in FORCE_CHANGE_PASSWORD, and sends
 * the invitation unless MessageAction is SUPPRESS. MessageAction RESEND sends a new temporary password
 * to an existing user who has not signed in yet. Where the pool allows one-time passwords, a user created
 * without a TemporaryPassword gets none: confirmed already, as Cognito's created users are, with nothing to
 * change at first sign-in, and invited without a password.
 */
export async function adminCreateUser(ctx: RequestContext, input: AdminCreateUserRequest): Promise<AdminCreateUserResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const policy = pool.settings.userPool.Policies?.PasswordPolicy;
  if (input.TemporaryPassword) checkPasswordPolicy(policy, input.TemporaryPassword);
  const passwordless = input.TemporaryPassword || input.MessageAction === 'RESEND' ? undefined : createdWithoutPassword(pool);
  const password = passwordless ? undefined : (input.TemporaryPassword ?? generateTemporaryPassword(policy, ctx.randomBytes));
  const validityDays = policy?.TemporaryPasswordValidityDays ?? 7;
  const credentialOptions = { temporary: true, expiresAt: new Date(ctx.now().getTime() + validityDays * DAY_MS) };
  let user;
  if (input.MessageAction === 'RESEND') {
    const existing = await requireUser(ctx, pool, input.Username!);
    if (existing.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new UnsupportedUserStateException(`Resend not possible. ${existing.username} status is not FORCE_CHANGE_PASSWORD.`);
    }
    const credentials = await newCredentials(ctx, pool, existing.username, password!, credentialOptions);
    user = await updateUser(ctx, pool, existing, (u) => ({ ...u, credentials }));
  } else {
    user = await createUser(ctx, pool, {
      name: input.Username!,
      attributes: input.UserAttributes ?? [],
      writer: { kind: 'admin' },
      preSignUp: { source: 'PreSignUp_AdminCreateUser', validationData: input.ValidationData, clientMetadata: input.ClientMetadata },
      ...(password === undefined
        ? { status: 'CONFIRMED', check: passwordless }
        : { status: 'FORCE_CHANGE_PASSWORD', password: { value: password, ...credentialOptions } }),
    });
  }
  if (input.MessageAction !== 'SUPPRESS') await sendInvitation(ctx, pool, user, password, input.DesiredDeliveryMediums, input.Username, input.ClientMetadata);
  return { User: toUserType(user) };
}
