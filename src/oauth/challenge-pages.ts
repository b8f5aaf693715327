import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidParameterException, ServiceError } from '../protocol/errors.js';
import { answerChallenge } from '../userpools/auth/answer-challenge.js';
import type { SignInStep } from '../userpools/auth/sign-in-outcome.js';
import { checkPasswordPolicy } from '../userpools/users/password-policy.js';
import { checkAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import { signedIn } from './complete-authorization.js';
import type { HostedPool } from './hosted-pool.js';
import { field, postedForm, sendFormPage, sendPage } from './page-response.js';
import type { FieldSpec, FormState } from './pages/fields.js';
import { errorPage, newPasswordPage } from './pages/templates.js';
import { MFA_CHALLENGES, showMfaChallenge } from './mfa-pages.js';
import { Params } from './params.js';
import { secretHashFor } from './user-pool-api.js';
import { TOO_MANY_REQUESTS, attributeLabel, showSignIn } from './sign-in-form.js';

/** After a password (or a challenge answer) is accepted: the user is in, or a challenge gets its page, carrying its session. */
export async function continueSignIn(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  step: SignInStep,
  username: string,
): Promise<FastifyReply> {
  // A completed sign-in gets an authorization code; the client gets its tokens through the code.
  if (step.completed) return signedIn(hosted, request, reply, auth, step.completed.user);
  const challengeUser = step.ChallengeParameters?.USER_ID_FOR_SRP ?? step.ChallengeParameters?.USERNAME ?? username;
  const session = step.Session ?? '';
  if (step.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    const required = JSON.parse(step.ChallengeParameters?.requiredAttributes ?? '[]') as string[];
    return showNewPassword(hosted, request, reply, auth, { username: challengeUser, session }, required, {});
  }
  if (MFA_CHALLENGES.has(step.ChallengeName!)) return showMfaChallenge(hosted, request, reply, auth, step, challengeUser);
  return sendPage(hosted, reply, errorPage('Sign-in cannot continue', `The ${step.ChallengeName} challenge cannot be answered on these pages.`), {
    status: 400,
    clientId: auth.client.clientId,
  });
}

function showNewPassword(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  challenge: { username: string; session: string },
  required: string[],
  extra: Partial<FormState>,
  status = 200,
) {
  const attributes: FieldSpec[] = required.map((name) => ({ name, label: attributeLabel(name.replace(/^userAttributes\./, '')) }));
  return sendFormPage(hosted, request, reply, auth, { path: '/newPassword', extra, status }, (state) =>
    newPasswordPage(state, { ...challenge, required: required.join(' ') }, attributes),
  );
}

/** POST /newPassword: NEW_PASSWORD_REQUIRED, answered as RespondToAuthChallenge would be. */
export async function postNewPassword(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const challenge = { username: field(form, 'username'), session: field(form, 'session') };
  const required = field(form, 'required').split(' ').filter((name) => name.startsWith('userAttributes.'));
  const password = field(form, 'password');
  const attributes = Object.fromEntries(required.map((name) => [name, field(form, name)]));
  // Answering a challenge is a credential check (RespondToAuthChallenge is rate-limited on the API).
  if (!(await hosted.allowAttempt())) {
    return showNewPassword(hosted, request, reply, auth, challenge, required, { error: { message: TOO_MANY_REQUESTS }, values: attributes }, 429);
  }
  // The policy is checked before the challenge is answered: answering spends the session, and a user
  // who picked a short password should not have to start over.
  try {
    if (!password) throw new InvalidParameterException('Missing required parameter NEW_PASSWORD');
    checkPasswordPolicy(hosted.pool.settings.userPool.Policies?.PasswordPolicy, password);
  } catch (error) {
    if (error instanceof ServiceError) {
      return showNewPassword(hosted, request, reply, auth, challenge, required, { error: { message: error.message, field: 'password' }, values: attributes }, 400);
    }
    throw error;
  }
  const responses = { USERNAME: challenge.username, NEW_PASSWORD: password, ...attributes };
  return answer(hosted, request, reply, auth, 'NEW_PASSWORD_REQUIRED', challenge, responses);
}

/**
 * Answers a challenge as RespondToAuthChallenge would, then shows what comes next. An error the user can
 * correct on the same page (a mistyped MFA code, whose session stays usable) goes to `retry` when it
 * takes it; any other sends the user back to sign in.
 */
export async function answer(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  challengeName: ChallengeNameType,
  challenge: { username: string; session: string },
  responses: Record<string, string>,
  retry?: (error: ServiceError) => Promise<FastifyReply> | undefined,
): Promise<FastifyReply> {
  let step: SignInStep;
  try {
    const secretHash = secretHashFor(hosted.ctx, auth.client, challenge.username);
    step = await answerChallenge(hosted.ctx, hosted.pool, auth.client, challengeName, challenge.session, {
      ...responses,
      ...(secretHash && { SECRET_HASH: secretHash }),
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const retried = retry?.(error);
    if (retried) return retried;
    // The challenge's session is spent: the user signs in again.
    return showSignIn(hosted, request, reply, auth, { error: { message: error.message } }, 400);
  }
  return continueSignIn(hosted, request, reply, auth, step, challenge.username);
}
