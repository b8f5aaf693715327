import { createDiffieHellman, createHash, createHmac, type DiffieHellman } from 'node:crypto';
import { safeEqual } from '../../security/safe-equal.js';

/**
 * The server side of Cognito's SRP-6a (USER_SRP_AUTH / PASSWORD_VERIFIER, and the same for devices:
 * DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER), matching byte for byte what amazon-cognito-identity-js
 * (AuthenticationHelper.js, CognitoUser.authenticateUserDefaultAuth and getDeviceResponse) and Amplify
 * compute; see TOKENS.md §4. Pure functions: no I/O, randomness is passed in. For a device, the "pool
 * name" is the device group key and the "user id" the device key.
 *
 * Numbers travel as hex. Every hex input is read as an integer (any length, any case, leading zeros
 * allowed), because that is what the client does with SALT and SRP_B; whenever a number is hashed it is
 * first re-encoded with PAD() (see padHex), never hashed as the string it arrived as.
 *
 * Modular exponentiation is done natively by OpenSSL through a node:crypto DiffieHellman object over
 * the group (see modPow); BigInt is only used for single multiplications/reductions and for parsing.
 */

/** RFC 3526 group 15 (3072-bit MODP), the `N` of AuthenticationHelper.js; node:crypto knows it as 'modp15'. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const SRP_N = BigInt(`0x${N_HEX}`);
export const SRP_G = 2n;
/** k = H(PAD(N) | PAD(g)). */
const SRP_K = hashHexToBigInt(padHex(SRP_N) + padHex(SRP_G));

/** Random bytes of the salt stored beside the verifier (as Cognito's SALT, and generateHashDevice's). */
const SALT_BYTES = 16;
/** Random bytes of the server's secret exponent b: 256 bits, the minimum RFC 5054 §2.5.4 asks for. */
const SECRET_B_BYTES = 32;
/** Longest hex accepted for a number (A, B, v, b, salt): N itself is 768 digits; this leaves room for zero padding. */
const MAX_HEX_DIGITS = 1024;
const HKDF_INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);
/** Draws of b before giving up (a B or u of 0 has probability ~2^-256; only a broken randomBytes repeats it). */
const MAX_DRAWS = 8;

export type RandomBytes = (n: number) => Buffer;

/** A value the SRP exchange cannot go on with (A mod N = 0, malformed hex): the caller maps it to a Cognito error. */
export class SrpError extends Error {
  override name = 'SrpError';
}

// ---- encoding ----

/**
 * PAD(x): even-length lower-case big-endian hex of a non-negative integer, with a leading `00` byte when the
 * high bit of the first byte is set (AuthenticationHelper.padHex for non-negative numbers; PAD(0) = '00').
 */
function padHex(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/** Parses hex the way the client's `new BigInteger(hex, 16)` does; throws SrpError on anything else. */
function parseHex(hex: string, what: string): bigint {
  if (typeof hex !== 'string' || hex.length === 0 || hex.length > MAX_HEX_DIGITS || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new SrpError(`${what} is not a valid hex number`);
  }
  return BigInt(`0x${hex}`);
}

function bufferToBigInt(buffer: Uint8Array): bigint {
  return buffer.length === 0 ? 0n : BigInt(`0x${Buffer.from(buffer).toString('hex')}`);
}

/** Minimal big-endian bytes of a non-negative integer (at least one byte). */
function bigIntToBuffer(x: bigint): Buffer {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** H(bytes of a hex string) as an integer: the client's `new BigInteger(this.hexHash(hex), 16)`. */
function hashHexToBigInt(hex: string): bigint {
  return bufferToBigInt(sha256(Buffer.from(hex, 'hex')));
}

// ---- modular exponentiation ----

let groupDh: DiffieHellman | undefined;

/**
 * base^exponent mod N, natively. A DiffieHellman object over (N, g) whose private key is `exponent`
 * computes `computeSecret(base)` = base^exponent mod N with OpenSSL's constant-time Montgomery
 * exponentiation. OpenSSL refuses "public keys" outside [2, N-2] and results outside [2, N-2] (SP 800-56A
 * checks on a shared secret): the bases 0, 1 and N-1 are answered here, and a refused result (1 or N-1,
 * which honest values reach with probability ~2^-3070) falls back to a BigInt square-and-multiply.
 * The one DiffieHellman object is shared: setPrivateKey + computeSecret run synchronously, back to back.
 */
export function srpModPow(base: bigint, exponent: bigint): bigint {
  if (exponent < 0n) throw new RangeError('negative exponent');
  base %= SRP_N;
  if (base < 0n) base += SRP_N;
  if (exponent === 0n) return 1n;
  if (base === 0n || base === 1n) return base;
  if (base === SRP_N - 1n) return exponent % 2n === 0n ? 1n : base;
  groupDh ??= createDiffieHellman(Buffer.from(N_HEX, 'hex'), Buffer.from([Number(SRP_G)]));
  try {
    groupDh.setPrivateKey(bigIntToBuffer(exponent));
    return bufferToBigInt(groupDh.computeSecret(bigIntToBuffer(base)));
  } catch {
    return modPowBigInt(base, exponent);
  }
}

/** The slow path of srpModPow only (see there); never used for ordinary values. */
function modPowBigInt(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let square = base % SRP_N;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % SRP_N;
    square = (square * square) % SRP_N;
  }
  return result;
}

// ---- SRP ----

/** x = H(PAD(salt) | H(utf8(poolName | userIdForSrp | ':' | password))), the salt read as an integer first. */
function computeX(poolName: string, userIdForSrp: string, password: string, salt: bigint): bigint {
  const identityHash = sha256(`${poolName}${userIdForSrp}:${password}`).toString('hex');
  return hashHexToBigInt(padHex(salt) + identityHash);
}

/** u = H(PAD(A) | PAD(B)), with A and B exactly as sent (not reduced mod N), as the client hashes them. */
function computeU(a: bigint, b: bigint): bigint {
  return hashHexToBigInt(padHex(a) + padHex(b));
}

/**
 * The salt and verifier to store beside the password hash whenever a password is set. `poolName` is the
 * part of the pool id after '_'; `userIdForSrp` is what InitiateAuth returns as USER_ID_FOR_SRP (the
 * internal username). The salt is 16 random bytes written as PAD(salt), as generateHashDevice writes one;
 * the verifier is PAD(v).
 */
export function createSrpVerifier(
  poolName: string,
  userIdForSrp: string,
  password: string,
  randomBytes: RandomBytes,
): { salt: string; verifier: string } {
  const salt = bufferToBigInt(randomBytes(SALT_BYTES));
  const verifier = srpModPow(SRP_G, computeX(poolName, userIdForSrp, password, salt));
  return { salt: padHex(salt), verifier: padHex(verifier) };
}

/**
 * True when a salt and verifier a client computed itself (ConfirmDevice's DeviceSecretVerifierConfig, from
 * generateHashDevice) can serve an SRP exchange: both are hex numbers within the accepted length, and the
 * verifier is in [2, N-1] (with v = 0 or 1 the proof would not need the device's secret at all).
 */
export function isUsableVerifier(saltHex: string, verifierHex: string): boolean {
  try {
    parseHex(saltHex, 'salt');
    const v = parseHex(verifierHex, 'verifier');
    return v > 1n && v < SRP_N;
  } catch {
    return false;
  }
}

/**
 * Answers the client's SRP_A: draws the secret b and computes B = (k·v + g^b) mod N. `srpB` is plain
 * lower-case hex without leading zeros (as Cognito sends SRP_B and the client sends SRP_A); `b` is the
 * secret to keep server side for verifyPasswordClaim. Throws SrpError when A is malformed or A mod N = 0.
 * A b giving B mod N = 0 or u = 0 (both of which the client refuses) is drawn again.
 */
export function startSrpSession(verifierHex: string, srpAHex: string, randomBytes: RandomBytes): { srpB: string; b: string } {
  const a = parseHex(srpAHex, 'SRP_A');
  if (a % SRP_N === 0n) throw new SrpError('SRP_A mod N cannot be 0');
  const v = parseHex(verifierHex, 'verifier');
  const kv = (SRP_K * v) % SRP_N;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const secret = randomBytes(SECRET_B_BYTES);
    const b = bufferToBigInt(secret);
    if (b === 0n) continue;
    const bigB = (kv + srpModPow(SRP_G, b)) % SRP_N;
    if (bigB === 0n || computeU(a, bigB) === 0n) continue;
    return { srpB: bigB.toString(16), b: Buffer.from(secret).toString('hex') };
  }
  throw new SrpError('could not draw a usable SRP secret');
}

export interface PasswordClaim {
  /** The part of the pool id after '_' (a device's claim: its device group key). */
  poolName: string;
  /** USER_ID_FOR_SRP, as sent in the challenge (the client signs it); a device's claim: its device key. */
  userIdForSrp: string;
  /** The stored verifier (hex). */
  verifierHex: string;
  /** The client's SRP_A (hex), as received by InitiateAuth. */
  srpAHex: string;
  /** SRP_B and b as returned by startSrpSession. */
  srpBHex: string;
  bHex: string;
  /** PASSWORD_CLAIM_SECRET_BLOCK (base64), as sent by the client; the caller checks it is the block it issued. */
  secretBlockBase64: string;
  /** TIMESTAMP, as sent by the client (the caller checks its freshness with parseSrpTimestamp). */
  timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE (base64). */
  signatureBase64: string;
}

/**
 * True when PASSWORD_CLAIM_SIGNATURE proves knowledge of the password:
 * S = (A·v^u)^b mod N, K = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key")[0:16],
 * signature = HMAC-SHA256(K, utf8(poolName) | utf8(userIdForSrp) | base64decode(secretBlock) | utf8(timestamp)),
 * compared in constant time. Malformed input of any kind gives false, never an exception.
 */
export function verifyPasswordClaim(claim: PasswordClaim): boolean {
  const texts = [claim.poolName, claim.userIdForSrp, claim.secretBlockBase64, claim.timestamp, claim.signatureBase64];
  if (texts.some((text) => typeof text !== 'string')) return false;
  let a: bigint, bigB: bigint, b: bigint, v: bigint;
  try {
    a = parseHex(claim.srpAHex, 'SRP_A');
    bigB = parseHex(claim.srpBHex, 'SRP_B');
    b = parseHex(claim.bHex, 'b');
    v = parseHex(claim.verifierHex, 'verifier');
  } catch {
    return false;
  }
  if (a % SRP_N === 0n || bigB % SRP_N === 0n || b === 0n) return false;
  const u = computeU(a, bigB);
  if (u === 0n) return false;

  const s = srpModPow(((a % SRP_N) * srpModPow(v, u)) % SRP_N, b);
  const prk = hmacSha256(Buffer.from(padHex(u), 'hex'), Buffer.from(padHex(s), 'hex'));
  const key = hmacSha256(prk, HKDF_INFO).subarray(0, 16);

  const expected = hmacSha256(
    key,
    Buffer.concat([
      Buffer.from(claim.poolName, 'utf8'),
      Buffer.from(claim.userIdForSrp, 'utf8'),
      Buffer.from(claim.secretBlockBase64, 'base64'),
      Buffer.from(claim.timestamp, 'utf8'),
    ]),
  );
  const given = Buffer.from(claim.signatureBase64, 'base64');
  return safeEqual(given, expected);
}

// ---- TIMESTAMP ----

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** The client's TIMESTAMP format, "ddd MMM D HH:mm:ss UTC YYYY" in UTC with the day not zero-padded (DateHelper.js). */
export function formatSrpTimestamp(date: Date): string {
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

const TIMESTAMP_PATTERN = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) UTC (\d{4})$/;

/**
 * Reads a TIMESTAMP in the client's format. Lenient where a client might differ harmlessly (a zero-padded
 * day, a one-digit hour, a weekday that does not match the date: the signature covers the string as sent
 * anyway); undefined for anything else, including dates that do not exist (Feb 30) or out-of-range times.
 */
export function parseSrpTimestamp(s: string): Date | undefined {
  const match = typeof s === 'string' ? TIMESTAMP_PATTERN.exec(s) : null;
  if (!match) return undefined;
  const [, , monthName, dayText, hourText, minuteText, secondText, yearText] = match;
  const month = MONTHS.indexOf(monthName!);
  const [day, hour, minute, second, year] = [dayText, hourText, minuteText, secondText, yearText].map(Number) as [number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(year, month, day, hour, minute, second));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return date;
}
