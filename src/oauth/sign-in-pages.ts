import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../protocol/errors.js';
import { allowsOneTimePasswords, startOneTimePasswordSignIn } from '../userpools/auth/choice-sign-in.js';
import { signInWithPassword } from '../userpools/auth/password-sign-in.js';
import type { SignInStep } from '../userpools/auth/sign-in-outcome.js';
import { PasswordResetRequiredException, UserNotConfirmedException } from '../userpools/errors.js';
import { checkAuthorizationRequest, sessionServes, type AuthorizationRequest } from './authorization-request.js';
import { continueSignIn } from './challenge-pages.js';
import { authorizationResponse } from './complete-authorization.js';
import type { HostedPool } from './hosted-pool.js';
import { field, pageUrl, postedForm } from './page-response.js';
import { Params } from './params.js';
import { currentSession } from './session.js';
import { TOO_MANY_REQUESTS, notice, showSignIn } from './sign-in-form.js';
import { callUserPoolApi, secretHashFor } from './user-pool-api.js';
import { preAuthentication } from '../triggers/authentication.js';

/** GET /login: with a live session the user is signed in at once (single sign-on), else the form and the client's external providers. */
export async function getSignIn(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request), 'choice');
  if (!auth.prompt.has('login')) {
    const session = await currentSession(hosted, request);
    if (session && sessionServes(auth, session.user)) return reply.redirect(await authorizationResponse(hosted, auth, session.user, session.authTime), 302);
  }
  const username = field(Params.ofQuery(request), 'username') || auth.loginHint;
  return showSignIn(hosted, request, reply, auth, { values: { username }, notice: notice(request) });
}

/**
 * POST /login: the password, through the same sign-in as the API's, or (the form's second button) a
 * one-time code sent as USER_AUTH would send it; then a challenge page or the client.
 */
export async function postSignIn(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(form, 'username');
  const password = field(form, 'password');
  const fail = (message: string, fieldName?: string, status = 400) =>
    showSignIn(hosted, request, reply, auth, { error: { message, ...(fieldName && { field: fieldName }) }, values: { username } }, status);
  if (!(await hosted.allowAttempt())) return fail(TOO_MANY_REQUESTS, undefined, 429);
  // InitiateAuth's answers for the missing parameters (start-sign-in.ts).
  if (!username) return fail('Missing required parameter USERNAME', 'username');
  const withCode = field(form, 'signInWith') === 'code' && allowsOneTimePasswords(hosted.pool);
  if (!withCode && !password) return fail('Missing required parameter PASSWORD', 'password');
  let step: SignInStep;
  try {
    await preAuthentication(hosted.ctx, hosted.pool, auth.client, username, undefined);
    if (withCode) {
      const sent = await startOneTimePasswordSignIn(hosted.ctx, hosted.pool, auth.client, username);
      if (!sent) return fail('A sign-in code cannot be sent for this account. Sign in with your password.', 'password');
      step = sent;
    } else {
      step = await signInWithPassword(hosted.ctx, hosted.pool, auth.client, username, password);
    }
  } catch (error) {
    if (error instanceof UserNotConfirmedException) return confirmAfterSignIn(hosted, reply, auth, username);
    if (error instanceof PasswordResetRequiredException) return resetAfterSignIn(hosted, request, reply, auth, username, error);
    if (error instanceof ServiceError) return fail(error.message, 'password');
    throw error;
  }
  return continueSignIn(hosted, request, reply, auth, step, username);
}

/** As Cognito's hosted UI does: an unconfirmed user who knows the password gets a fresh code and the confirm page. */
async function confirmAfterSignIn(hosted: HostedPool, reply: FastifyReply, auth: AuthorizationRequest, username: string): Promise<FastifyReply> {
  try {
    await callUserPoolApi(hosted.ctx, 'ResendConfirmationCode', {
      ClientId: auth.client.clientId,
      Username: username,
      SecretHash: secretHashFor(hosted.ctx, auth.client, username),
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
  }
  return reply.redirect(pageUrl(hosted, '/confirm', auth.query, { username }), 302);
}

async function resetAfterSignIn(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  username: string,
  error: ServiceError,
): Promise<FastifyReply> {
  try {
    await callUserPoolApi(hosted.ctx, 'ForgotPassword', { ClientId: auth.client.clientId, Username: username, SecretHash: secretHashFor(hosted.ctx, auth.client, username) });
  } catch (sendError) {
    if (!(sendError instanceof ServiceError)) throw sendError;
    return showSignIn(hosted, request, reply, auth, { error: { message: error.message }, values: { username } }, 400);
  }
  return reply.redirect(pageUrl(hosted, '/confirmForgotPassword', auth.query, { username, notice: 'reset-required' }), 302);
}

