import { ClientAuthenticationFailed } from './client-authentication.js';
import { InvalidRequest, InvalidToken, OAuthError, ServerError, oauthErrorAnswer, type Challenge, type JsonAnswer } from './oauth-errors.js';

/**
 * What an endpoint that answers in JSON (token, revoke, userInfo, discovery) says for an error it threw:
 * the OAuth error with its challenge (RFC 6749 §5.2, RFC 6750 §3), a framework's 4xx (a body it could not
 * parse) as invalid_request, and anything else as server_error, flagged `unexpected` for the log. The one
 * mapping, for Fastify's error handler and the direct token route alike.
 */
export function apiErrorAnswer(error: Error & { statusCode?: number }): JsonAnswer & { unexpected: boolean } {
  const answer = (oauthError: OAuthError, challenge?: Challenge, unexpected = false) => ({ ...oauthErrorAnswer(oauthError, challenge), unexpected });
  if (error instanceof ClientAuthenticationFailed && error.usedBasic) return answer(error, 'Basic');
  if (error instanceof InvalidToken) return answer(error, 'Bearer');
  if (error instanceof OAuthError) return answer(error, error.status === 403 ? 'Bearer' : undefined);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return answer(new InvalidRequest(error.message));
  return answer(new ServerError('An internal error occurred. The request id identifies it in the server log.'), undefined, true);
}
