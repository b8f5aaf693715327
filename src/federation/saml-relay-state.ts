import type { HostedPool } from '../oauth/hosted-pool.js';
import { safeEqual } from '../security/safe-equal.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';

/** Enough for any pool's providers (Cognito allows 300). */
const MAX_PROVIDERS = 1000;
const RELAY_STATE = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

const macOf = (hosted: HostedPool, providerName: string, expires: string): string =>
  hosted.ctx.secrets.mac(`saml-relay-state\u0000${hosted.pool.id}\u0000${providerName}\u0000${expires}`).slice(0, 22);

/**
 * The RelayState of our AuthnRequests: which of the pool's SAML providers the response will come from,
 * since one Assertion Consumer Service serves them all and the IdP's cross-site POST carries no cookie.
 * `<expiry in seconds, base 36>.<132 bits of keyed MAC over the pool, the provider and the expiry>`: about
 * 30 characters, within the 80 bytes the SAML bindings allow (IdPs such as ForgeRock AM cut longer ones),
 * not forgeable, and nothing stored — a GET of /oauth2/authorize writes nothing for whoever sends it.
 */
export function relayStateFor(hosted: HostedPool, providerName: string, seconds: number): string {
  const expires = Math.floor(hosted.ctx.now().getTime() / 1000 + seconds).toString(36);
  return `${expires}.${macOf(hosted, providerName, expires)}`;
}

/**
 * The SAML provider a RelayState of ours names (found among the pool's, whose names the MAC covers):
 * 'expired' for one of ours too old to take, 'unknown' for one shaped as ours that names none of the
 * pool's providers (deleted since, or forged), undefined for any other (an IdP-initiated sign-in's, which
 * is an authorization request's query and never has this shape).
 */
export async function providerOfRelayState(hosted: HostedPool, relayState: string | undefined): Promise<StoredIdentityProvider | 'expired' | 'unknown' | undefined> {
  const parts = relayState === undefined ? null : RELAY_STATE.exec(relayState);
  if (!parts) return undefined;
  const [, expires, mac] = parts;
  const providers = await hosted.ctx.repos.identityProviders.list(hosted.pool.id, { limit: MAX_PROVIDERS });
  const provider = providers.find((p) => p.providerType === 'SAML' && safeEqual(macOf(hosted, p.providerName, expires), mac));
  if (!provider) return 'unknown';
  return parseInt(expires, 36) * 1000 > hosted.ctx.now().getTime() ? provider : 'expired';
}
