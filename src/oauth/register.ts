import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import type { Allowance } from '../security/rate-limiter.js';
import { issuerOf } from '../userpools/auth/tokens.js';
import { BadAuthorizationRequest, RedirectedAuthorizationError } from './authorization-request.js';
import { authorizeEndpoint } from './authorize-endpoint.js';
import { idpFormPostEndpoint, idpResponseEndpoint } from '../federation/federated-sign-in.js';
import { samlLogoutEndpoint } from '../federation/saml-logout.js';
import { samlContinueEndpoint, samlResponseEndpoint } from '../federation/saml-sign-in.js';
import { CsrfError } from './csrf.js';
import { DISCOVERY_CACHE_CONTROL, openIdConfiguration } from '../userpools/auth/discovery-document.js';
import { resolveHostedPool, type HostedPool } from './hosted-pool.js';
import { logoutEndpoint } from './logout-endpoint.js';
import { OAuthError, type JsonAnswer } from './oauth-errors.js';
import { apiErrorAnswer } from './api-errors.js';
import { parseForm } from './params.js';
import { sendPage } from './page-response.js';
import { errorPage } from './pages/templates.js';
import { getForgotPassword, getResetPassword, postForgotPassword, postResetPassword } from './password-pages.js';
import { revokeEndpoint } from './revoke-endpoint.js';
import { postNewPassword } from './challenge-pages.js';
import { postMfa, postMfaSetup } from './mfa-pages.js';
import { getSignIn, postSignIn } from './sign-in-pages.js';
import { getConfirm, getSignUp, postConfirm, postResendCode, postSignUp } from './sign-up-pages.js';
import { tokenEndpoint } from './token-endpoint.js';
import { userInfoEndpoint } from './userinfo-endpoint.js';

type Handler = (hosted: HostedPool, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** On every answer of the OAuth endpoints and pages, whichever server writes it. */
export const OAUTH_SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;

const NOT_SERVED_MESSAGE = 'No user pool is served at this address.';
/** An endpoint that answers in JSON, at an address where no pool is. */
export const NOT_SERVED: JsonAnswer = {
  status: 404,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ error: 'invalid_request', error_description: NOT_SERVED_MESSAGE }),
};


/** `api` endpoints answer in JSON (RFC 6749 §5.2); `page` routes answer a person, in HTML. */
type Kind = 'api' | 'page';

declare module 'fastify' {
  interface FastifyRequest {
    /** The pool an OAuth route serves, resolved before its handler runs. */
    hosted?: HostedPool;
  }
  interface FastifyContextConfig {
    oauthKind?: Kind;
  }
}

const ROUTES: [method: 'GET' | 'POST', path: string, kind: Kind, handler: Handler][] = [
  ['GET', '/oauth2/authorize', 'page', authorizeEndpoint],
  ['GET', '/oauth2/idpresponse', 'page', idpResponseEndpoint],
  ['POST', '/oauth2/idpresponse', 'page', idpFormPostEndpoint],
  ['POST', '/saml2/idpresponse', 'page', samlResponseEndpoint],
  ['GET', '/saml2/idpresponse', 'page', samlContinueEndpoint],
  ['GET', '/saml2/logout', 'page', samlLogoutEndpoint],
  ['POST', '/saml2/logout', 'page', samlLogoutEndpoint],
  ['POST', '/oauth2/token', 'api', tokenEndpoint],
  ['GET', '/oauth2/userInfo', 'api', userInfoEndpoint],
  ['POST', '/oauth2/userInfo', 'api', userInfoEndpoint],
  ['POST', '/oauth2/revoke', 'api', revokeEndpoint],
  ['GET', '/logout', 'page', logoutEndpoint],
  ['GET', '/login', 'page', getSignIn],
  ['POST', '/login', 'page', postSignIn],
  ['POST', '/newPassword', 'page', postNewPassword],
  ['POST', '/mfa', 'page', postMfa],
  ['POST', '/mfaSetup', 'page', postMfaSetup],
  ['GET', '/signup', 'page', getSignUp],
  ['POST', '/signup', 'page', postSignUp],
  ['GET', '/confirm', 'page', getConfirm],
  ['POST', '/confirm', 'page', postConfirm],
  ['POST', '/resendCode', 'page', postResendCode],
  ['GET', '/forgotPassword', 'page', getForgotPassword],
  ['POST', '/forgotPassword', 'page', postForgotPassword],
  ['GET', '/confirmForgotPassword', 'page', getResetPassword],
  ['POST', '/confirmForgotPassword', 'page', postResetPassword],
];

/**
 * The OAuth 2.0 / OpenID Connect endpoints and the hosted-UI pages of every pool: under
 * `<publicUrl>/<poolId>/…`, and at the root of a pool's custom or prefix domain (by Host; see
 * hosted-pool.ts). Registered in a plugin scope of their own, so their form parser, cookies and error
 * handling leave the JSON API untouched.
 */
export async function registerOAuth(app: FastifyInstance, services: ServiceContext, limiter: Allowance): Promise<void> {
  await app.register(async (scope) => {
    // The cookie-signing key is derived from the secrets key, like every other key Gatehouse holds.
    await scope.register(cookie, { secret: services.secrets.mac('hosted-ui/cookie-signing-key') });
    await scope.register(formbody, { parser: parseForm });

    // Callback form, as server.ts's per-request hooks: no promise per response.
    scope.addHook('onSend', (_request, reply, payload, done) => {
      reply.headers(OAUTH_SECURITY_HEADERS);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
    // An error before the handler (a body over the limit, a body that does not parse) finds no pool yet.
    const hostedOf = async (request: FastifyRequest) => request.hosted ?? (await resolveHostedPool(services, request, limiter).catch(() => undefined));
    scope.setErrorHandler((error, request, reply) => answerError(error as Error & { statusCode?: number }, request, reply, hostedOf));

    for (const [method, path, kind, handler] of ROUTES) {
      for (const mount of ['/:poolId', '']) {
        scope.route({
          method,
          url: `${mount}${path}`,
          config: { oauthKind: kind },
          handler: async (request, reply) => {
            const hosted = await resolveHostedPool(services, request, limiter);
            if (!hosted) return notServed(request, reply, kind);
            request.hosted = hosted;
            return handler(hosted, request, reply);
          },
        });
      }
    }

    // At a domain's root, discovery names the endpoints at that domain (the issuer and its keys stay the
    // issuer's); the keys themselves are the issuer's, so that request is sent there.
    scope.get('/.well-known/openid-configuration', { config: { oauthKind: 'api' } }, async (request, reply) => {
      const hosted = await resolveHostedPool(services, request, limiter);
      if (!hosted) return notServed(request, reply, 'api');
      return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(openIdConfiguration(issuerOf(services, hosted.pool.id), hosted.baseUrl));
    });
    scope.get('/.well-known/jwks.json', { config: { oauthKind: 'api' } }, async (request, reply) => {
      const hosted = await resolveHostedPool(services, request, limiter);
      if (!hosted) return notServed(request, reply, 'api');
      return reply.redirect(`${issuerOf(services, hosted.pool.id)}/.well-known/jwks.json`, 302);
    });
  });
}

function notServed(request: FastifyRequest, reply: FastifyReply, kind: Kind): FastifyReply {
  if (kind === 'api') return reply.code(NOT_SERVED.status).headers(NOT_SERVED.headers).send(NOT_SERVED.body);
  return reply
    .code(404)
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html><html lang="en"><title>Not found</title><h1>Not found</h1><p>${NOT_SERVED_MESSAGE}</p></html>`);
}

/** The one place OAuth and hosted-UI errors become answers. */
async function answerError(
  error: Error & { statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
  hostedOf: (request: FastifyRequest) => Promise<HostedPool | undefined>,
): Promise<FastifyReply> {
  const kind = request.routeOptions.config.oauthKind ?? 'api';
  if (error instanceof RedirectedAuthorizationError) return reply.redirect(error.location, 302);
  if (kind === 'api') {
    const answer = apiErrorAnswer(error);
    if (answer.unexpected) request.log.error({ err: error }, 'unexpected error');
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
  let status = 500;
  let title = 'Something went wrong';
  let message = 'An internal error occurred. Try again later.';
  if (error instanceof BadAuthorizationRequest) [status, title, message] = [400, 'Sign-in cannot continue', error.message];
  else if (error instanceof CsrfError) [status, title, message] = [403, 'The form has expired', `${error.message} Go back, reload the page and try again.`];
  else if (error instanceof OAuthError) [status, title, message] = [400, 'Sign-in cannot continue', error.message];
  else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) [status, title, message] = [error.statusCode, 'Sign-in cannot continue', error.message];
  else request.log.error({ err: error }, 'unexpected error');
  const hosted = await hostedOf(request);
  if (!hosted) return notServed(request, reply, 'page');
  return sendPage(hosted, reply, errorPage(title, message), { status });
}
