import type { StoredAppClient } from '../storage/app-clients-repository.js';
import { clientSecretMatches } from '../userpools/client-requests.js';
import type { HostedPool } from './hosted-pool.js';
import { InvalidClient, InvalidRequest, TooManyRequests } from './oauth-errors.js';
import type { Params } from './params.js';

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before base64. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Basic was tried, so the 401 carries the Basic challenge (RFC 6749 §5.2).
  if (colon < 0) throw new ClientAuthenticationFailed('The Basic credentials are not client_id:client_secret.', true);
  let credentials: { id: string; secret: string };
  try {
    credentials = { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new ClientAuthenticationFailed('The Basic credentials are not form-encoded.', true);
  }
  // As for every parameter (params.ts): no client id has a NUL, and PostgreSQL cannot look one up.
  if (credentials.id.includes('\u0000')) throw new ClientAuthenticationFailed('Client authentication failed: unknown client.', true);
  return credentials;
}

/**
 * The client at the token and revocation endpoints: client_secret_basic (Authorization: Basic) or
 * client_secret_post (client_id and client_secret in the body), never both (RFC 6749 §2.3); a client
 * without a secret names itself with client_id alone. It must belong to the pool being served. Every call
 * takes one attempt from the client address's allowance for credential checks, secret or not, before
 * anything is checked: a wrong secret answers differently from a right one at both endpoints.
 */
export async function authenticateClient(hosted: HostedPool, authorization: string | undefined, form: Params): Promise<StoredAppClient> {
  if (!(await hosted.allowAttempt())) throw new TooManyRequests('Too many requests from this address. Slow down and try again.');
  const basic = basicCredentials(authorization);
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  if (basic && bodySecret !== undefined) throw new InvalidRequest('Use one way of client authentication: Basic or client_secret in the body, not both.');
  if (basic && bodyId !== undefined && bodyId !== basic.id) throw new InvalidRequest('client_id differs from the client in the Authorization header.');
  const clientId = basic?.id ?? bodyId;
  const given = basic?.secret ?? bodySecret;
  const usedBasic = basic !== undefined;
  if (clientId === undefined) throw new InvalidClient('The request names no client (client_id or HTTP Basic authentication).');
  const client = await hosted.ctx.repos.appClients.get(hosted.pool.id, clientId);
  if (!client) throw new ClientAuthenticationFailed('Client authentication failed: unknown client.', usedBasic);
  const matches = clientSecretMatches(hosted.ctx, client, given);
  if (matches === undefined && given !== undefined && given !== '') throw new ClientAuthenticationFailed('The client has no secret, but one was sent.', usedBasic);
  if (matches === false) throw new ClientAuthenticationFailed('Client authentication failed: the client secret is missing or wrong.', usedBasic);
  return client;
}

/** invalid_client that remembers whether to answer with a Basic challenge. */
export class ClientAuthenticationFailed extends InvalidClient {
  constructor(
    description: string,
    readonly usedBasic: boolean,
  ) {
    super(description);
  }
}
