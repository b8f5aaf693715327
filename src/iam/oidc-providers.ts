import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { ServiceContext } from '../context.js';
import { ExpiredTokenError, NotAuthorizedException } from '../protocol/errors.js';
import { isKeySetFailure } from '../security/key-set-failure.js';
import { isHttpsOrLoopback } from '../security/loopback.js';
import { DISCOVERY_TIMEOUT_MS, fetchDiscoveryDocument, reachableUrl } from '../security/oidc-discovery.js';
import type { StoredOidcProvider } from '../storage/oidc-providers-repository.js';

/** `arn:aws:iam::<account>:oidc-provider/<host and path>`, as IAM names an OpenID Connect provider. */
export function oidcProviderArn(accountId: string, key: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${key}`;
}

/** The provider key (host and path) an ARN names, when the account is this installation's. */
export function oidcProviderKeyOf(accountId: string, arn: string): string | undefined {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):oidc-provider\/([^\s]+)$/.exec(arn);
  return match && match[1] === accountId ? match[2] : undefined;
}

/**
 * A provider URL as IAM takes it: https (http only on a loopback host), no credentials, query or fragment.
 * Answers the normalized URL (no trailing slash) and its key, or undefined when it is not acceptable.
 */
export function parseProviderUrl(text: string): { url: string; key: string } | undefined {
  if (text.length > 255) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!isHttpsOrLoopback(url) || url.username || url.password || url.search || url.hash || text.includes('?') || text.includes('#')) return undefined;
  const normalized = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  return { url: normalized, key: normalized.replace(/^https?:\/\//, '') };
}

/** The key of an issuer claim: the provider it would be registered as, or undefined for a URL IAM would refuse. */
export function providerKeyOfIssuer(issuer: unknown): string | undefined {
  if (typeof issuer !== 'string') return undefined;
  const parsed = parseProviderUrl(issuer);
  return parsed && parsed.url === issuer ? parsed.key : undefined;
}

/** Per issuer URL: its key set, found through its discovery document. Failures are not cached. */
const keySets = new Map<string, Promise<JWTVerifyGetKey>>();

async function discoverKeySet(issuer: string): Promise<JWTVerifyGetKey> {
  const document = await fetchDiscoveryDocument(issuer);
  const jwksUri = reachableUrl(document.jwks_uri);
  if (!jwksUri) throw new Error('discovery document has no usable jwks_uri');
  return createRemoteJWKSet(jwksUri, { timeoutDuration: DISCOVERY_TIMEOUT_MS });
}

function keySetOf(issuer: string): Promise<JWTVerifyGetKey> {
  let keySet = keySets.get(issuer);
  if (!keySet) {
    keySet = discoverKeySet(issuer);
    keySets.set(issuer, keySet);
    keySet.catch(() => keySets.delete(issuer));
  }
  return keySet;
}

/**
 * A login refused for a reason STS words its own way: NotAuthorizedException on the wire for Cognito
 * (the class's own name would otherwise become the error type).
 */
abstract class NamedLoginRefusal extends NotAuthorizedException {
  override get type(): string {
    return 'NotAuthorizedException';
  }
}

/** The provider's keys could not be had (discovery or the JWKS failed). */
export class ProviderKeysUnavailable extends NamedLoginRefusal {}

/** The token is for a client the provider does not list. */
export class IncorrectAudience extends NamedLoginRefusal {
  constructor() {
    super('Invalid login token. Incorrect token audience.');
  }
}

/** A UTF-16 surrogate without its other half: text that no UTF-8 store can keep as it is. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface VerifiedOidcToken {
  claims: JWTPayload & { sub: string };
  /** The provider client id the token is for. */
  audience: string;
}

/**
 * Verifies a token of an IAM OIDC provider before anything of it is trusted: signature against the
 * provider's JWKS (found through its discovery document), issuer, audience among its client ids, expiry.
 * An expired token is an ExpiredTokenError (STS answers ExpiredTokenException for it).
 */
export async function verifyOidcToken(ctx: ServiceContext, provider: StoredOidcProvider, token: string): Promise<VerifiedOidcToken> {
  try {
    if (decodeJwt(token).iss !== provider.url) throw new Error('issuer');
  } catch {
    throw new NotAuthorizedException('Invalid login token. Issuer does not match the provider.');
  }
  let keySet: JWTVerifyGetKey;
  try {
    keySet = await keySetOf(provider.url);
  } catch (error) {
    ctx.log.warn({ err: error, issuer: provider.url }, 'OIDC provider discovery failed');
    throw new ProviderKeysUnavailable('Invalid login token. The provider\'s keys could not be retrieved.');
  }
  try {
    const { payload } = await jwtVerify(token, keySet, {
      algorithms: ['RS256', 'ES256'],
      issuer: provider.url,
      audience: provider.clientIds,
      currentDate: ctx.now(),
    });
    // The subject becomes a stored login: one with a NUL is no real user's and PostgreSQL cannot store it,
    // and lone surrogates would be stored as U+FFFD, making two such subjects one login.
    if (typeof payload.sub !== 'string' || !payload.sub || payload.sub.includes('\u0000') || LONE_SURROGATE.test(payload.sub)) throw new Error('sub');
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audience = audiences.find((a): a is string => typeof a === 'string' && provider.clientIds.includes(a))!;
    return { claims: payload as VerifiedOidcToken['claims'], audience };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new ExpiredTokenError('Invalid login token. Token expired.');
    // The key set is fetched on first use: an unreachable or broken jwks_uri surfaces here.
    if (isKeySetFailure(error)) {
      ctx.log.warn({ err: error, issuer: provider.url }, 'OIDC provider key set could not be fetched');
      throw new ProviderKeysUnavailable('Invalid login token. The provider\'s keys could not be retrieved.');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') throw new IncorrectAudience();
    throw new NotAuthorizedException('Invalid login token. Not a valid OpenId Connect identity token.');
  }
}
