import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { BoundedMap } from '../../bounded-map.js';
import { JwsInvalidError, signJws, verifyJws, type JwsClaims, type UnverifiedJws } from '../../security/jws.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { Repositories } from '../../storage/repositories.js';
import type { StoredSigningKey } from '../../storage/signing-keys-repository.js';

/** The longest an ID or access token can live (Cognito's limit). */
const MAX_TOKEN_LIFETIME_MS = 24 * 3600_000;
/**
 * A rotated-in key is published at once but signs only after this long: the JWKS answer is cacheable for
 * five minutes (well-known-routes.ts), and a verifier holding the old JWKS must never meet a token signed
 * with a key it has not seen. Until then the previous key keeps signing.
 */
export const PUBLISH_BEFORE_SIGNING_MS = 5 * 60_000;
/** A retired key verifies what it signed: it signed until retirement plus the publishing delay. */
const VERIFY_AFTER_RETIREMENT_MS = PUBLISH_BEFORE_SIGNING_MS + MAX_TOKEN_LIFETIME_MS;
/** How long a node trusts its cached keys before reading them again (a rotation reaches it within this). */
const CACHE_MS = 60_000;
/** Tokens of a kilobyte or so each: a few megabytes at most, for the active users of the last minutes. */
const REMEMBERED_TOKENS = 4_096;

interface PoolKeys {
  readAt: number;
  /** Keys that may still sign, newest first, with their private halves still sealed. */
  signers: StoredSigningKey[];
  privateKeys: Map<string, KeyObject>;
  verifying: Map<string, KeyObject>;
  jwks: JWK[];
}

const sealContext = (poolId: string, kid: string) => `signing-key:${poolId}:${kid}`;

/** A token whose signature held: the pool and key that verified it, and its claims. */
export interface Verified {
  poolId: string;
  kid: string;
  claims: JwsClaims;
  key: KeyObject;
}

/**
 * Each pool's RS256 keys: created with the pool (or on first use), private halves sealed with the
 * secrets key, cached briefly in memory so signing and verifying cost no database round trip.
 */
export class SigningKeys {
  private readonly cache = new Map<string, PoolKeys>();
  /** Verified tokens by their text (recall), oldest first. */
  private readonly verified = new BoundedMap<string, Verified>(REMEMBERED_TOKENS);
  /** Tokens verified once and not yet remembered, by a short mark (seenBefore), oldest first. */
  private readonly seenOnce = new BoundedMap<string, true>(REMEMBERED_TOKENS);

  constructor(
    private readonly repos: Repositories,
    private readonly secrets: SecretBox,
    private readonly now: () => Date,
    private readonly randomBytes: (n: number) => Buffer,
  ) {}

  /** Adds a new signing key; the previous one keeps verifying until the tokens it signed have expired. */
  async rotate(poolId: string): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
    const kid = this.randomBytes(20).toString('base64url');
    const now = this.now();
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    await this.repos.signingKeys.add({
      poolId,
      kid,
      sealedPrivateKey: this.secrets.encrypt(JSON.stringify(privateJwk), sealContext(poolId, kid)),
      publicKey: JSON.stringify(publicJwk),
      createdAt: now,
    });
    await this.repos.signingKeys.deleteRetiredBefore(poolId, new Date(now.getTime() - VERIFY_AFTER_RETIREMENT_MS));
    this.cache.delete(poolId);
    return kid;
  }

  /**
   * The key that signs now: the newest one published for long enough, or — for a pool whose only key is
   * new — that key (nobody can hold a JWKS of the pool without it).
   */
  private async signingKey(poolId: string): Promise<{ kid: string; key: KeyObject }> {
    const keys = await this.load(poolId);
    const publishedBy = this.now().getTime() - PUBLISH_BEFORE_SIGNING_MS;
    const signer = keys.signers.find((k) => k.createdAt.getTime() <= publishedBy) ?? keys.signers[keys.signers.length - 1];
    let key = keys.privateKeys.get(signer.kid);
    if (!key) {
      const jwk = JSON.parse(this.secrets.decrypt(signer.sealedPrivateKey, sealContext(poolId, signer.kid))) as JsonWebKey;
      key = createPrivateKey({ key: jwk, format: 'jwk' });
      keys.privateKeys.set(signer.kid, key);
    }
    return { kid: signer.kid, key };
  }

  /**
   * The key for `kid`, reading the store again once if this node has not seen it (a rotation elsewhere).
   * It never creates keys: the pool id comes from an unverified token, and a forged one must not make
   * the server generate and store keys for pools that do not exist.
   */
  private async verificationKey(poolId: string, kid: string): Promise<KeyObject | undefined> {
    const keys = await this.read(poolId);
    if (!keys) return undefined;
    if (keys.verifying.has(kid)) return keys.verifying.get(kid);
    if (Date.now() - keys.readAt < 1000) return undefined;
    this.cache.delete(poolId);
    return (await this.read(poolId))?.verifying.get(kid);
  }

  /** A compact RS256 JWS of `claims`, signed with the pool's current key (its kid in the header). */
  async sign(poolId: string, claims: JwsClaims, typ?: string): Promise<string> {
    const { kid, key } = await this.signingKey(poolId);
    return signJws(claims, key, { kid, ...(typ && { typ }) });
  }

  /**
   * The claims of a token signed by one of the pool's keys, with `issuer` and unexpired; JwsInvalidError or
   * JwsExpiredError (only for a token whose signature holds) otherwise. Given the token's `text`, a
   * verified token is remembered (recall).
   */
  async verify(poolId: string, jws: UnverifiedJws, issuer: string, text?: string): Promise<JwsClaims> {
    const key = jws.header.kid ? await this.verificationKey(poolId, jws.header.kid) : undefined;
    if (!key) throw new JwsInvalidError('unknown key');
    const claims = verifyJws(jws, key, { issuer, now: this.now() });
    if (text !== undefined && this.seenBefore(text)) this.remember(text, { poolId, kid: jws.header.kid!, claims, key });
    return claims;
  }

  /**
   * A token this node has verified, found by its whole text, while the key that verified it is still the
   * pool's key for its kid (a rotation that drops it, or the pool's deletion, ends that). Its signature
   * holds; its claims are checked again by the caller (checkJwsClaims), since time has passed. An app
   * presents the same token on every call until it expires, and decoding and verifying it again was a
   * quarter of a GetUser's CPU (npm run bench -- get-user); verifying gateways keep such a cache too.
   */
  async recall(text: string): Promise<Verified | undefined> {
    const known = this.verified.get(text);
    if (!known) return undefined;
    if ((await this.verificationKey(known.poolId, known.kid)) === known.key) return known;
    this.verified.delete(text);
    return undefined;
  }

  /**
   * Whether this token was verified here before (and forgets it until next time). A token is remembered on
   * its second verification, not its first: keeping every token seen once made a first use about 25 µs
   * dearer (npm run bench -- get-user, the get-user-new-token row), paid in vain by tokens used once. The
   * mark is the signature's last 12 characters, short enough that V8 copies them rather than keeping the
   * token alive through a slice; two tokens sharing a mark only means one is remembered a use early.
   */
  private seenBefore(text: string): boolean {
    const mark = text.slice(-12);
    if (this.seenOnce.delete(mark)) return true;
    this.seenOnce.set(mark, true);
    return false;
  }

  /** Only what a recall needs: the decoded token's other parts would stay in memory for nothing. */
  private remember(text: string, verified: Verified): void {
    // Shared by every later call that presents the token: nobody may change what it says.
    for (const value of Object.values(verified.claims)) if (typeof value === 'object' && value !== null) Object.freeze(value);
    Object.freeze(verified.claims);
    this.verified.set(text, verified);
  }

  async jwks(poolId: string): Promise<{ keys: JWK[] }> {
    return { keys: (await this.load(poolId)).jwks };
  }

  forget(poolId: string): void {
    this.cache.delete(poolId);
  }

  /** The pool's keys, creating its first key pair if it has none yet. */
  private async load(poolId: string): Promise<PoolKeys> {
    const keys = await this.read(poolId);
    if (keys) return keys;
    await this.rotate(poolId);
    return (await this.read(poolId)) as PoolKeys;
  }

  /** The pool's keys from the cache or the store; undefined while it has no signing key. */
  private async read(poolId: string): Promise<PoolKeys | undefined> {
    const cached = this.cache.get(poolId);
    if (cached && Date.now() - cached.readAt < CACHE_MS) return cached;
    const stored = await this.repos.signingKeys.list(poolId);
    if (!stored.some((k) => !k.retiredAt)) return undefined;
    const now = this.now().getTime();
    const live = stored.filter((k) => !k.retiredAt || k.retiredAt.getTime() > now - VERIFY_AFTER_RETIREMENT_MS);
    const verifying = new Map<string, KeyObject>();
    for (const key of live) verifying.set(key.kid, createPublicKey({ key: JSON.parse(key.publicKey) as JsonWebKey, format: 'jwk' }));
    const keys: PoolKeys = {
      readAt: Date.now(),
      // The active key, and keys retired so recently that they may sign until their successor is published.
      signers: stored.filter((k) => !k.retiredAt || k.retiredAt.getTime() > now - PUBLISH_BEFORE_SIGNING_MS),
      privateKeys: new Map(),
      verifying,
      jwks: live.map((k) => {
        const { kty, n, e, kid, alg, use } = JSON.parse(k.publicKey) as JWK;
        return { kid, alg, kty, e, n, use };
      }),
    };
    this.cache.set(poolId, keys);
    return keys;
  }
}
