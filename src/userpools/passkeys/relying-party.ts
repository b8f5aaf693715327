import type { ServiceContext } from '../../context.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { allowedFirstAuthFactors } from '../user-pool-settings.js';
import { WebAuthnConfigurationMissingException, WebAuthnNotEnabledException, WebAuthnOriginNotAllowedException } from '../errors.js';

/** What passkeys in a pool are registered and checked against. */
export interface RelyingParty {
  /** The relying party id: a domain the browser's origin must be, or be under. */
  id: string;
  /** `required`: only authenticators that verify the user (PIN, biometrics) register and sign in. */
  userVerification: 'required' | 'preferred';
}

/** Passkeys are a first factor the pool's SignInPolicy must allow (WebAuthnNotEnabledException otherwise). */
export function passkeysAllowed(pool: StoredUserPool): boolean {
  return allowedFirstAuthFactors(pool).includes('WEB_AUTHN');
}

/**
 * The pool's relying party: WebAuthnConfiguration's RelyingPartyId (SetUserPoolMfaConfig), or else its
 * domain (a custom one, or `<prefix>.<hostedUiDomain>`), as Cognito takes the user pool domain.
 */
export async function relyingParty(ctx: ServiceContext, pool: StoredUserPool): Promise<RelyingParty> {
  if (!passkeysAllowed(pool)) throw new WebAuthnNotEnabledException('Passkeys are not enabled for this user pool: add WEB_AUTHN to its SignInPolicy.');
  const configuration = pool.settings.mfa.WebAuthnConfiguration;
  const userVerification = configuration?.UserVerification === 'required' ? 'required' : 'preferred';
  if (configuration?.RelyingPartyId) return { id: configuration.RelyingPartyId, userVerification };
  const [domain] = await ctx.repos.domains.findByPool(pool.id);
  const base = ctx.config.hostedUiDomain;
  const id = domain?.kind === 'custom' ? domain.domain : domain && base ? `${domain.domain}.${base}` : undefined;
  if (!id) throw new WebAuthnConfigurationMissingException('The user pool has no relying party id for passkeys: set WebAuthnConfiguration.RelyingPartyId, or give the pool a domain.');
  return { id, userVerification };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origin a browser reported for a passkey ceremony must be the relying party's, as WebAuthn itself
 * scopes credentials: https on the relying party id or a name under it; plain http only on a loopback
 * host, where browsers allow passkeys for development.
 */
export function checkOrigin(rp: RelyingParty, origin: string): void {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const host = url?.hostname;
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && host !== undefined && LOOPBACK.has(host));
  if (!url || !secure || !host || (host !== rp.id && !host.endsWith(`.${rp.id}`))) {
    throw new WebAuthnOriginNotAllowedException(`The passkey's origin ${origin} is not allowed for the relying party ${rp.id}.`);
  }
}
