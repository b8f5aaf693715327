import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { formatSrpTimestamp, SRP_G, SRP_N, srpModPow } from '../../src/userpools/auth/srp.js';

/**
 * The client side of USER_SRP_AUTH for the sign-in-srp scenario, computed as amazon-cognito-identity-js's
 * AuthenticationHelper computes it (getPasswordAuthenticationKey, CognitoUser.authenticateUserDefaultAuth),
 * but with the modular exponentiation done natively (srpModPow: OpenSSL) rather than in jsbn, and with
 * what does not depend on the server's B worked out before the timed loop:
 *
 * - the ephemeral pairs (a, A = g^a) are drawn up front and used in turn;
 * - x and k·g^x, fixed for a user and salt, are computed once, at the first challenge (during warm-up).
 *
 * What is left per round trip is what no client can avoid: u = H(A | B), one exponentiation
 * S = (B − k·g^x)^(a + u·x), the HKDF and the signature. `a` is 256 bits (RFC 5054's minimum, the size of
 * the server's b) rather than AuthenticationHelper's 1024, which keeps that exponent at ~512 bits; the
 * server's work does not depend on it. `checkAgainstAuthenticationHelper` proves the answers equal the
 * library's.
 */

const INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);

/** AuthenticationHelper.padHex for a non-negative integer. */
function padHex(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex')}`);
/** AuthenticationHelper.hexHash, read as an integer. */
const hexHash = (hex: string) => toBigInt(sha256(Buffer.from(hex, 'hex')));

const K = hexHash(padHex(SRP_N) + padHex(SRP_G));

export interface SrpEphemeral {
  a: bigint;
  A: bigint;
  /** SRP_A as the client sends it. */
  srpA: string;
}

export type ChallengeParameters = Record<string, string>;

export class SrpClient {
  private readonly ephemerals: SrpEphemeral[];
  private turn = 0;
  private readonly secrets = new Map<string, { x: bigint; kgx: bigint }>();

  /** `poolName` is the part of the pool id after '_'. */
  constructor(
    private readonly poolName: string,
    private readonly password: string,
    ephemerals = 32,
  ) {
    this.ephemerals = Array.from({ length: ephemerals }, () => {
      const a = toBigInt(randomBytes(32)) | 1n;
      const A = srpModPow(SRP_G, a);
      return { a, A, srpA: A.toString(16) };
    });
  }

  /** The next precomputed (a, A): SRP_A for InitiateAuth. */
  start(): SrpEphemeral {
    return this.ephemerals[this.turn++ % this.ephemerals.length];
  }

  /** The 16-byte key both sides derive (AuthenticationHelper.getPasswordAuthenticationKey's result). */
  passwordAuthenticationKey(ephemeral: SrpEphemeral, userId: string, srpB: string, salt: string): Buffer {
    const B = BigInt(`0x${srpB}`);
    if (B % SRP_N === 0n) throw new Error('B cannot be zero.');
    const u = hexHash(padHex(ephemeral.A) + padHex(B));
    if (u === 0n) throw new Error('U cannot be zero.');
    const { x, kgx } = this.secretFor(userId, salt);
    const base = (((B - kgx) % SRP_N) + SRP_N) % SRP_N;
    const s = srpModPow(base, ephemeral.a + u * x);
    const prk = hmac(Buffer.from(padHex(u), 'hex'), Buffer.from(padHex(s), 'hex'));
    return hmac(prk, INFO).subarray(0, 16);
  }

  /** ChallengeResponses answering a PASSWORD_VERIFIER challenge, as CognitoUser sends them. */
  answer(ephemeral: SrpEphemeral, challenge: ChallengeParameters, now = new Date()): Record<string, string> {
    const userId = challenge.USER_ID_FOR_SRP;
    const key = this.passwordAuthenticationKey(ephemeral, userId, challenge.SRP_B, challenge.SALT);
    const timestamp = formatSrpTimestamp(now);
    const signature = hmac(
      key,
      Buffer.concat([Buffer.from(this.poolName, 'utf8'), Buffer.from(userId, 'utf8'), Buffer.from(challenge.SECRET_BLOCK, 'base64'), Buffer.from(timestamp, 'utf8')]),
    );
    return {
      USERNAME: userId,
      PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
      TIMESTAMP: timestamp,
      PASSWORD_CLAIM_SIGNATURE: signature.toString('base64'),
    };
  }

  /** x = H(PAD(salt) | H(poolName | userId | ':' | password)) and k·g^x, once per user and salt. */
  private secretFor(userId: string, saltHex: string): { x: bigint; kgx: bigint } {
    const cacheKey = `${userId}\u0000${saltHex}`;
    let secret = this.secrets.get(cacheKey);
    if (!secret) {
      const identity = sha256(`${this.poolName}${userId}:${this.password}`).toString('hex');
      const x = hexHash(padHex(BigInt(`0x${saltHex}`)) + identity);
      secret = { x, kgx: (K * srpModPow(SRP_G, x)) % SRP_N };
      this.secrets.set(cacheKey, secret);
    }
    return secret;
  }
}

interface JsbnInteger {
  toString(radix: number): string;
}
interface ReferenceHelper {
  smallAValue: JsbnInteger;
  largeAValue: JsbnInteger;
  getPasswordAuthenticationKey(username: string, password: string, b: JsbnInteger, salt: JsbnInteger, callback: (error: unknown, key: Buffer) => void): void;
}

/**
 * Computes the key for one real challenge with amazon-cognito-identity-js's AuthenticationHelper (given
 * the same a) and checks it equals ours. Returns how long the library took (pure JavaScript), to show
 * why the bench does not run it in the timed loop.
 */
export function checkAgainstAuthenticationHelper(client: SrpClient, poolName: string, password: string, ephemeral: SrpEphemeral, challenge: ChallengeParameters): { libraryMs: number; nativeMs: number } {
  const require = createRequire(import.meta.url);
  const { AuthenticationHelper } = require('amazon-cognito-identity-js') as { AuthenticationHelper: new (poolName: string) => ReferenceHelper };
  const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: new (hex: string, radix: number) => JsbnInteger }).default;
  const helper = new AuthenticationHelper(poolName);
  helper.smallAValue = new BigInteger(ephemeral.a.toString(16), 16);
  helper.largeAValue = new BigInteger(ephemeral.A.toString(16), 16);
  let libraryKey: Buffer | undefined;
  const started = performance.now();
  helper.getPasswordAuthenticationKey(challenge.USER_ID_FOR_SRP, password, new BigInteger(challenge.SRP_B, 16), new BigInteger(challenge.SALT, 16), (error, key) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    libraryKey = key;
  });
  const libraryMs = performance.now() - started;
  const ours = client.passwordAuthenticationKey(ephemeral, challenge.USER_ID_FOR_SRP, challenge.SRP_B, challenge.SALT);
  // Timed again once x and k·g^x are cached, as in the timed loop.
  const nativeStarted = performance.now();
  client.passwordAuthenticationKey(ephemeral, challenge.USER_ID_FOR_SRP, challenge.SRP_B, challenge.SALT);
  const nativeMs = performance.now() - nativeStarted;
  if (!libraryKey || !Buffer.from(libraryKey).equals(ours)) throw new Error('the bench SRP client and AuthenticationHelper derive different keys');
  return { libraryMs, nativeMs };
}
