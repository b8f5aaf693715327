import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException, LimitExceededException } from '../../protocol/errors.js';
import { DuplicateKeyError } from '../../storage/conflicts.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { WebAuthnChallengeNotFoundException, WebAuthnClientMismatchException, WebAuthnCredentialNotSupportedException } from '../errors.js';
import { readCredential, verified } from './client-data.js';
import { checkOrigin, relyingParty } from './relying-party.js';

/** How long a registration may take from StartWebAuthnRegistration to CompleteWebAuthnRegistration. */
const REGISTRATION_MS = 5 * 60_000;
/** Passkeys one user may register. */
export const MAX_PASSKEYS_PER_USER = 20;

/** Seals a registration challenge to its pool and user: one sealed for another user does not open. */
const challengeContext = (user: StoredUser) => `webauthn-registration:${user.poolId}:${user.usernameKey}`;

/**
 * The registration challenge carries what CompleteWebAuthnRegistration must trust, the app client and
 * until when, sealed by the server's secret box to the user (as session tokens are sealed), with a random
 * id that the store keeps until the challenge is answered: as Cognito's, a challenge is answered once (a
 * second answer to the same options is WebAuthnChallengeNotFoundException).
 */
async function mintChallenge(ctx: ServiceContext, user: StoredUser, clientId: string): Promise<string> {
  const id = ctx.randomBytes(24).toString('base64url');
  const expiresAt = ctx.now().getTime() + REGISTRATION_MS;
  await ctx.repos.authSessions.insert({
    poolId: user.poolId,
    sessionHash: challengeKey(ctx, id),
    clientId,
    usernameKey: user.usernameKey,
    challenge: REGISTRATION_CHALLENGE,
    state: {},
    expiresAt: new Date(expiresAt),
  });
  return ctx.secrets.encryptCompact(JSON.stringify([clientId, expiresAt, id]), challengeContext(user));
}

const REGISTRATION_CHALLENGE = 'WEB_AUTHN_REGISTRATION';
const challengeKey = (ctx: ServiceContext, id: string) => ctx.secrets.mac(`webauthn-registration:${id}`);

/**
 * The registration a challenge this server sealed for this user stands for: its app client, and how to use
 * it up (false when it was answered meanwhile); WebAuthnChallengeNotFoundException when it is not one of
 * ours, has expired, or was answered already.
 */
async function openChallenge(ctx: ServiceContext, user: StoredUser, challenge: string): Promise<{ clientId: string; useUp(): Promise<boolean> }> {
  let claims: unknown[] = [];
  try {
    claims = JSON.parse(ctx.secrets.decryptCompact(challenge, challengeContext(user))) as unknown[];
  } catch {
    // forged, altered, or another user's: refused below
  }
  const [clientId, expiresAt, id] = claims;
  const key = typeof id === 'string' ? challengeKey(ctx, id) : '';
  const stored = typeof clientId === 'string' && Number(expiresAt) > ctx.now().getTime() && key ? await ctx.repos.authSessions.get(user.poolId, key) : undefined;
  if (!stored || stored.challenge !== REGISTRATION_CHALLENGE || stored.usernameKey !== user.usernameKey) throw challengeNotFound();
  return { clientId: clientId as string, useUp: async () => (await ctx.repos.authSessions.take(user.poolId, key)) !== undefined };
}

const challengeNotFound = () =>
  new WebAuthnChallengeNotFoundException('No passkey registration was started for this user, or it has expired or been answered: call StartWebAuthnRegistration again.');

/**
 * StartWebAuthnRegistration: the options for navigator.credentials.create — the pool as relying party,
 * the user (by sub, never by a name that could change), a discoverable credential, the user's passkeys
 * excluded so an authenticator is not registered twice.
 */
export async function registrationOptions(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, clientId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = await relyingParty(ctx, pool);
  const existing = await ctx.repos.webauthnCredentials.list(pool.id, user.usernameKey, MAX_PASSKEYS_PER_USER);
  return generateRegistrationOptions({
    rpName: pool.name,
    rpID: rp.id,
    userName: user.username,
    userID: new TextEncoder().encode(user.sub),
    userDisplayName: user.attributes.preferred_username ?? user.attributes.email ?? user.username,
    challenge: await mintChallenge(ctx, user, clientId),
    excludeCredentials: existing.map((credential) => ({ id: credential.credentialId, transports: credential.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: rp.userVerification },
  });
}

/**
 * CompleteWebAuthnRegistration: the browser's answer, judged as Cognito does — a challenge this user
 * started (WebAuthnChallengeNotFoundException) with the same app client (WebAuthnClientMismatchException),
 * from an origin of the relying party (WebAuthnOriginNotAllowedException), for its id
 * (WebAuthnRelyingPartyMismatchException), with a valid attestation (WebAuthnCredentialNotSupportedException)
 * — then kept as the user's passkey.
 */
export async function registerPasskey(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, clientId: string, document: unknown): Promise<void> {
  const rp = await relyingParty(ctx, pool);
  const { credential, clientData } = readCredential<RegistrationResponseJSON>(document, 'Credential');
  const started = await openChallenge(ctx, user, Buffer.from(clientData.challenge, 'base64url').toString('utf8'));
  if (started.clientId !== clientId) throw new WebAuthnClientMismatchException('The passkey registration was started by another app client.');
  checkOrigin(rp, clientData.origin);
  const result = await verified(
    () =>
      verifyRegistrationResponse({
        response: credential,
        expectedChallenge: clientData.challenge,
        expectedOrigin: clientData.origin,
        expectedRPID: rp.id,
        requireUserVerification: rp.userVerification === 'required',
      }),
    (reason) => new WebAuthnCredentialNotSupportedException(`The passkey cannot be registered: ${reason}`),
  );
  if (!result.verified) throw new WebAuthnCredentialNotSupportedException('The passkey cannot be registered.');
  // Used up by the answer that registers, not by one refused above: of two racing answers, one wins.
  if (!(await started.useUp())) throw challengeNotFound();
  const existing = await ctx.repos.webauthnCredentials.list(pool.id, user.usernameKey, MAX_PASSKEYS_PER_USER);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw new LimitExceededException(`A user can register at most ${MAX_PASSKEYS_PER_USER} passkeys.`);
  const { credential: made } = result.registrationInfo;
  try {
    await ctx.repos.webauthnCredentials.insert({
      poolId: pool.id,
      credentialId: made.id,
      usernameKey: user.usernameKey,
      publicKey: Buffer.from(made.publicKey).toString('base64url'),
      signCount: made.counter,
      relyingPartyId: rp.id,
      friendlyName: friendlyName(credential, ctx.now()),
      ...(credential.authenticatorAttachment && { attachment: credential.authenticatorAttachment }),
      transports: credential.response.transports ?? [],
      createdAt: ctx.now(),
    });
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new InvalidParameterException('This passkey is registered already.');
    throw error;
  }
}

/**
 * Cognito names each passkey itself (FriendlyCredentialName): here by the kind of authenticator the
 * browser reported and the day it was registered, which is what tells a user's passkeys apart in a list.
 */
function friendlyName(credential: RegistrationResponseJSON, now: Date): string {
  const kind = credential.authenticatorAttachment === 'platform' ? 'Passkey on this device' : credential.authenticatorAttachment === 'cross-platform' ? 'Security key' : 'Passkey';
  return `${kind}, registered ${now.toISOString().slice(0, 10)}`;
}
