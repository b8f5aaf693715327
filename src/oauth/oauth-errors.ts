import type { FastifyReply } from 'fastify';

/**
 * The RFC 6749 error family (§4.1.2.1, §5.2), with RFC 6750 §3.1 and RFC 7009 §2.2.1 for userInfo and
 * revocation. The endpoints throw these; `sendOAuthError` and `authorizationErrorRedirect` are the only
 * places that put them on the wire.
 */
export abstract class OAuthError extends Error {
  /** The `error` code on the wire. */
  abstract readonly error: string;
  readonly status: number = 400;

  constructor(description: string) {
    super(description);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
}
/** Client authentication failed (RFC 6749 §5.2): 401, with a Basic challenge when Basic was tried. */
export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  override readonly status = 401;
}
export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant';
}
export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
}
export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
}
export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
}
export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type';
}
/** The user, or the identity provider the user signed in with, refused (RFC 6749 §4.1.2.1). */
export class AccessDenied extends OAuthError {
  readonly error = 'access_denied';
}
/** OpenID Connect Core §3.1.2.6: prompt=none and nobody is signed in. */
export class LoginRequired extends OAuthError {
  readonly error = 'login_required';
}
/**
 * Too many credential checks from one client address (config credentialRateLimit). RFC 6749 has no code
 * for it: the status is RFC 6585's 429, as Cognito answers throttling, with the generic invalid_request.
 */
export class TooManyRequests extends OAuthError {
  readonly error = 'invalid_request';
  override readonly status = 429;
}
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  override readonly status = 500;
}
/** RFC 6750 §3.1: the access token is missing, expired, revoked or malformed. */
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  override readonly status = 401;
}
/** RFC 6750 §3.1: the access token lacks the scope the resource needs (userInfo needs openid). */
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  override readonly status = 403;
}
/** RFC 7009 §2.2.1: only refresh tokens can be revoked here. */
export class UnsupportedTokenType extends OAuthError {
  readonly error = 'unsupported_token_type';
}

export type Challenge = 'Basic' | 'Bearer';

/** An answer in JSON, whichever server writes it: Fastify's reply or the direct route (token-route.ts). */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Token, revocation and userInfo errors: JSON, never cached (RFC 6749 §5.1). */
export function oauthErrorAnswer(error: OAuthError, challenge?: Challenge): JsonAnswer {
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };
  if (challenge === 'Bearer') {
    headers['www-authenticate'] = `Bearer error="${error.error}", error_description="${error.message.replace(/["\\]/g, '')}"`;
  } else if (challenge === 'Basic') {
    headers['www-authenticate'] = 'Basic realm="token endpoint"';
  }
  return { status: error.status, headers, body: JSON.stringify({ error: error.error, error_description: error.message }) };
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError, challenge?: Challenge): FastifyReply {
  const answer = oauthErrorAnswer(error, challenge);
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * The redirect that reports an authorization error to the client (RFC 6749 §4.1.2.1, §4.2.2.1): only ever
 * to a redirect_uri already matched against the client's registered CallbackURLs, in the query for the
 * code flow and in the fragment for the implicit flow, with the client's state.
 */
export function authorizationErrorRedirect(redirectUri: string, error: OAuthError, state: string | undefined, inFragment: boolean): string {
  return withResponseParameters(redirectUri, { error: error.error, error_description: error.message, ...(state !== undefined && { state }) }, inFragment);
}

/** Adds response parameters to the redirect_uri, keeping any query it was registered with (RFC 6749 §3.1.2). */
export function withResponseParameters(redirectUri: string, params: Record<string, string>, inFragment: boolean): string {
  const url = new URL(redirectUri);
  if (inFragment) {
    url.hash = new URLSearchParams(params).toString();
  } else {
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  }
  return url.toString();
}
