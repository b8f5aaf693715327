import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../protocol/errors.js';
import { termsLinksOf } from '../userpools/terms/terms.js';
import { passwordRequired } from '../userpools/users/passwordless-users.js';
import { checkAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import type { HostedPool } from './hosted-pool.js';
import { field, pageUrl, postedForm, sendFormPage } from './page-response.js';
import type { FieldSpec, FormState } from './pages/fields.js';
import { confirmPage, signUpPage } from './pages/templates.js';
import { Params } from './params.js';
import { TOO_MANY_REQUESTS, attributeLabel, notice, usernameLabel } from './sign-in-form.js';
import { callUserPoolApi, secretHashFor } from './user-pool-api.js';

const INPUT_TYPES: Record<string, Pick<FieldSpec, 'type' | 'autocomplete'>> = {
  email: { type: 'email', autocomplete: 'email' },
  phone_number: { type: 'tel', autocomplete: 'tel' },
  given_name: { autocomplete: 'given-name' },
  family_name: { autocomplete: 'family-name' },
  name: { autocomplete: 'name' },
};

/**
 * The sign-up form: the sign-in name, a password, the attributes the pool requires, and the contact the
 * pool verifies (where the confirmation code goes) when the name is not already that contact.
 */
function signUpFields(hosted: HostedPool): FieldSpec[] {
  const settings = hosted.pool.settings.userPool;
  const nameAttributes: string[] = settings.UsernameAttributes ?? [];
  const required = (settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub').map((a) => a.Name!);
  const verified = settings.AutoVerifiedAttributes ?? [];
  const attributes = [...new Set([...verified, ...required])].filter((name) => !nameAttributes.includes(name));
  const label = usernameLabel(hosted.pool);
  return [
    { name: 'username', label, ...(label === 'Email' ? INPUT_TYPES.email : { autocomplete: 'username' }) },
    { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', secret: true },
    ...attributes.map((name) => ({
      name: `attribute:${name}`,
      label: required.includes(name) ? attributeLabel(name) : `${attributeLabel(name)} (optional)`,
      required: required.includes(name),
      ...INPUT_TYPES[name],
    })),
  ];
}

async function showSignUp(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, extra: Partial<FormState>, status = 200) {
  const terms = await termsLinksOf(hosted.ctx, hosted.pool.id, auth.client.clientId);
  return sendFormPage(hosted, request, reply, auth, { path: '/signup', extra, status }, (state) =>
    signUpPage(state, signUpFields(hosted), pageUrl(hosted, '/login', auth.query), terms),
  );
}

export async function getSignUp(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  return showSignUp(hosted, request, reply, auth, {});
}

/** The field an API error is about, so that the page can point at it. */
function fieldOf(error: ServiceError): string | undefined {
  if (error.name === 'InvalidPasswordException') return 'password';
  if (error.name === 'UsernameExistsException') return 'username';
  const attribute = /attribute[s]?[^a-z_]+([a-z_:]+)/i.exec(error.message);
  return attribute ? `attribute:${attribute[1]}` : undefined;
}

/**
 * POST /signup: SignUp, as an app would call it, then the confirmation page; or the sign-in page when the
 * pool's pre sign-up function confirmed the user at once.
 */
export async function postSignUp(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const specs = signUpFields(hosted);
  const values = Object.fromEntries(specs.map((spec) => [spec.name, field(form, spec.name)]));
  const username = values.username;
  const attributes = specs
    .filter((spec) => spec.name.startsWith('attribute:') && values[spec.name] !== '')
    .map((spec) => ({ Name: spec.name.slice('attribute:'.length), Value: values[spec.name] }));
  // Cognito's hosted pages always ask for a password, even where SignUp could go without one.
  if (!values.password) return showSignUp(hosted, request, reply, auth, { error: { message: passwordRequired().message, field: 'password' }, values }, 400);
  let confirmed: boolean | undefined;
  try {
    ({ UserConfirmed: confirmed } = await callUserPoolApi<{ UserConfirmed?: boolean }>(hosted.ctx, 'SignUp', {
      ClientId: auth.client.clientId,
      Username: username || undefined,
      Password: values.password,
      UserAttributes: attributes,
      SecretHash: username ? secretHashFor(hosted.ctx, auth.client, username) : undefined,
    }));
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const fieldName = fieldOf(error);
    return showSignUp(hosted, request, reply, auth, { error: { message: error.message, ...(fieldName && { field: fieldName }) }, values }, 400);
  }
  if (confirmed) return reply.redirect(pageUrl(hosted, '/login', auth.query, { username, notice: 'confirmed' }), 302);
  return reply.redirect(pageUrl(hosted, '/confirm', auth.query, { username }), 302);
}

function showConfirm(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, username: string, extra: Partial<FormState>, status = 200) {
  return sendFormPage(hosted, request, reply, auth, { path: '/confirm', query: { username }, extra, status }, (state) =>
    confirmPage(state, username, { action: pageUrl(hosted, '/resendCode', auth.query, { username }) }, pageUrl(hosted, '/login', auth.query)),
  );
}

export async function getConfirm(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(Params.ofQuery(request), 'username');
  if (!username) return reply.redirect(pageUrl(hosted, '/signup', auth.query), 302);
  return showConfirm(hosted, request, reply, auth, username, { notice: notice(request) });
}

/** POST /confirm: ConfirmSignUp, then the sign-in page with the name filled in. */
export async function postConfirm(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(form, 'username');
  if (!(await hosted.allowAttempt())) return showConfirm(hosted, request, reply, auth, username, { error: { message: TOO_MANY_REQUESTS } }, 429);
  try {
    await callUserPoolApi(hosted.ctx, 'ConfirmSignUp', {
      ClientId: auth.client.clientId,
      Username: username || undefined,
      ConfirmationCode: field(form, 'code') || undefined,
      SecretHash: username ? secretHashFor(hosted.ctx, auth.client, username) : undefined,
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return showConfirm(hosted, request, reply, auth, username, { error: { message: error.message, field: 'code' } }, 400);
  }
  return reply.redirect(pageUrl(hosted, '/login', auth.query, { username, notice: 'confirmed' }), 302);
}

/** POST /resendCode: ResendConfirmationCode, then the confirmation page again, saying where the code went. */
export async function postResendCode(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const username = field(form, 'username');
  try {
    const { CodeDeliveryDetails } = await callUserPoolApi<{ CodeDeliveryDetails?: { Destination?: string } }>(hosted.ctx, 'ResendConfirmationCode', {
      ClientId: auth.client.clientId,
      Username: username || undefined,
      SecretHash: username ? secretHashFor(hosted.ctx, auth.client, username) : undefined,
    });
    return showConfirm(hosted, request, reply, auth, username, { notice: `We sent a new code to ${CodeDeliveryDetails?.Destination ?? 'you'}.` });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return showConfirm(hosted, request, reply, auth, username, { error: { message: error.message } }, 400);
  }
}
