import { KeyObject, webcrypto } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';
import type { ServiceContext } from '../context.js';

/** Cognito's: its user pool SAML certificates are good for ten years. */
const VALID_YEARS = 10;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

/** A key pair and its self-signed certificate, as Gatehouse keeps them: the key as PKCS#8 PEM, the certificate as base64 DER (as Cognito hands it out). */
interface SamlCertificate {
  privateKey: string;
  certificate: string;
}

/**
 * @peculiar/x509 is loaded with the first certificate to make, not at start-up: most servers never make one.
 * Its dependency injection needs the reflect-metadata polyfill loaded before it (as @simplewebauthn/server,
 * which brings both, does).
 */
async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // Bundled (dist/), the package's CommonJS build, which @simplewebauthn/server requires too, arrives as the default export only.
  return x509.X509CertificateGenerator ? x509 : (x509 as unknown as { default: typeof x509 }).default;
}

/**
 * A new RSA key and a self-signed certificate for it (@peculiar/x509, on node:crypto's WebCrypto), named
 * `CN=<commonName>`: what a SAML IdP is given to check our AuthnRequests' signatures (the pool's signing
 * certificate) or to encrypt its assertions to us (a provider's encryption certificate).
 */
export async function newSamlCertificate(commonName: string, now: Date): Promise<SamlCertificate> {
  const { X509CertificateGenerator } = await loadX509();
  const crypto = webcrypto as unknown as Crypto;
  const keys = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
  const certificate = await X509CertificateGenerator.createSelfSigned({ name: `CN=${commonName}`, keys, notBefore: now, notAfter, signingAlgorithm: RSA }, crypto);
  return {
    privateKey: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string,
    certificate: Buffer.from(certificate.rawData).toString('base64'),
  };
}

const sealContext = (poolId: string) => `saml-signing-key:${poolId}`;

/** Pools whose signing key and certificate are kept opened: they never change once made. */
const POOLS_KEPT = 500;
const signing = new BoundedMap<string, SamlCertificate>(POOLS_KEPT);

/**
 * The pool's SAML signing certificate (GetSigningCertificate), made the first time it is asked for: its
 * AuthnRequests and LogoutRequests are signed with its key, sealed at rest. Two nodes making it at once keep
 * the one stored first. Read and opened once per pool, not at every request it signs.
 */
export async function poolSigningCertificate(ctx: ServiceContext, poolId: string): Promise<SamlCertificate> {
  const known = signing.get(poolId);
  if (known) return known;
  let stored = await ctx.repos.samlSigningCertificates.get(poolId);
  if (!stored) {
    const made = await newSamlCertificate(`cognito-idp.${poolId}`, ctx.now());
    await ctx.repos.samlSigningCertificates.insertIfAbsent({ poolId, privateKey: ctx.secrets.encrypt(made.privateKey, sealContext(poolId)), certificate: made.certificate, createdAt: ctx.now() });
    stored = (await ctx.repos.samlSigningCertificates.get(poolId))!;
  }
  const opened = { privateKey: ctx.secrets.decrypt(stored.privateKey, sealContext(poolId)), certificate: stored.certificate };
  signing.set(poolId, opened);
  return opened;
}
