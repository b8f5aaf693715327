import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { sessionDevice } from '../devices/devices.js';
import { applyAttributeChange, plannedAttributeChange } from '../users/attribute-changes.js';
import { checkPasswordPolicy } from '../users/password-policy.js';
import { newCredentials, type PasswordCredentials } from '../users/password-store.js';
import { takeSession } from './auth-sessions.js';
import { missingRequiredAttributes, secondFactorOrTokens, sessionUser, type SignInStep } from './sign-in-outcome.js';
import type { ChallengeAnswer } from './challenge-answer.js';

/**
 * NEW_PASSWORD_REQUIRED: the user replaces the temporary password (and supplies any missing required
 * attributes as `userAttributes.<name>`), becomes CONFIRMED, and goes on to MFA (when the pool calls for
 * it) or is signed in.
 */
export async function answerNewPasswordRequired(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, session, responses } = answer;
  const stored = await takeSession(ctx, client, session, 'NEW_PASSWORD_REQUIRED');
  const user = await sessionUser(ctx, pool, stored);
  const password = responses.NEW_PASSWORD;
  if (!password) throw new InvalidParameterException('Missing required parameter NEW_PASSWORD');
  checkPasswordPolicy(pool.settings.userPool.Policies?.PasswordPolicy, password);
  const writes = Object.entries(responses)
    .filter(([name]) => name.startsWith('userAttributes.'))
    .map(([name, Value]) => ({ Name: name.slice('userAttributes.'.length), Value }));
  // The challenge asks for the required attributes that are missing; one that has a value stays as it is.
  const required = new Set((pool.settings.userPool.SchemaAttributes ?? []).filter((a) => a.Required).map((a) => a.Name!));
  for (const { Name, Value } of writes) {
    if (required.has(Name) && user.attributes[Name] && user.attributes[Name] !== Value) throw new InvalidParameterException(`Cannot modify an already provided ${Name}`);
  }
  // As UpdateUserAttributes: a new email or phone number is not verified by having been given here.
  const writer = { kind: 'client', writeAttributes: client.settings.WriteAttributes } as const;
  const change = plannedAttributeChange(pool, user, writes, writer);
  // Cognito's answer when the challenge's requiredAttributes were not all supplied.
  const missing = missingRequiredAttributes(pool, change.attributes);
  if (missing.length > 0) throw new InvalidParameterException(`Invalid attributes given, ${missing.join(', ')} is missing`);
  const credentials = await newCredentials(ctx, pool, user.username, password, {
    temporary: false,
    previous: user.credentials as PasswordCredentials | null,
  });
  const { updated } = await applyAttributeChange(ctx, pool, user, change, writer, { clientId: client.clientId }, { credentials, status: 'CONFIRMED' });
  return secondFactorOrTokens(ctx, pool, client, updated, await sessionDevice(ctx, updated, stored.state));
}
