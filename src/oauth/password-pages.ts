import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../protocol/errors.js';
import { checkAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import type { HostedPool } from './hosted-pool.js';
import { field, pageUrl, postedForm, sendFormPage } from './page-response.js';
import type { FormState } from './pages/fields.js';
import { forgotPasswordPage, resetPasswordPage } from './pages/templates.js';
import { Params } from './params.js';
import { TOO_MANY_REQUESTS, notice, usernameLabel } from './sign-in-form.js';
import { callUserPoolApi, secretHashFor } from './user-pool-api.js';

function showForgot(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, extra: Partial<FormState>, status = 200) {
  return sendFormPage(hosted, request, reply, auth, { path: '/forgotPassword', extra, status }, (state) =>
    forgotPasswordPage(state, usernameLabel(hosted.pool), pageUrl(hosted, '/login', auth.query)),
  );
}

export async function getForgotPassword(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  return showForgot(hosted, request, reply, auth, { values: { username: field(Params.ofQuery(request), 'username') } });
}

/** POST /forgotPassword: ForgotPassword, then the page to enter the code and the new password. */
export async function postForgotPassword(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(form, 'username');
  try {
    await callUserPoolApi(hosted.ctx, 'ForgotPassword', {
      ClientId: auth.client.clientId,
      Username: username || undefined,
      SecretHash: username ? secretHashFor(hosted.ctx, auth.client, username) : undefined,
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return showForgot(hosted, request, reply, auth, { error: { message: error.message, field: 'username' }, values: { username } }, 400);
  }
  return reply.redirect(pageUrl(hosted, '/confirmForgotPassword', auth.query, { username }), 302);
}

function showReset(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, username: string, extra: Partial<FormState>, status = 200) {
  return sendFormPage(hosted, request, reply, auth, { path: '/confirmForgotPassword', query: { username }, extra, status }, (state) =>
    resetPasswordPage(state, username, pageUrl(hosted, '/login', auth.query)),
  );
}

export async function getResetPassword(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(Params.ofQuery(request), 'username');
  if (!username) return reply.redirect(pageUrl(hosted, '/forgotPassword', auth.query), 302);
  return showReset(hosted, request, reply, auth, username, { notice: notice(request) ?? 'We sent you a code to reset your password.' });
}

/** POST /confirmForgotPassword: ConfirmForgotPassword, then the sign-in page. */
export async function postResetPassword(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(form, 'username');
  if (!(await hosted.allowAttempt())) return showReset(hosted, request, reply, auth, username, { error: { message: TOO_MANY_REQUESTS } }, 429);
  try {
    await callUserPoolApi(hosted.ctx, 'ConfirmForgotPassword', {
      ClientId: auth.client.clientId,
      Username: username || undefined,
      ConfirmationCode: field(form, 'code') || undefined,
      Password: field(form, 'password') || undefined,
      SecretHash: username ? secretHashFor(hosted.ctx, auth.client, username) : undefined,
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const fieldName = error.name === 'InvalidPasswordException' || error.name === 'PasswordHistoryPolicyViolationException' ? 'password' : 'code';
    return showReset(hosted, request, reply, auth, username, { error: { message: error.message, field: fieldName } }, 400);
  }
  return reply.redirect(pageUrl(hosted, '/login', auth.query, { username, notice: 'password-changed' }), 302);
}
